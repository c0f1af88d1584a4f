import { createHash } from 'crypto';
import { MessageReader } from '../../src/dist/message-reader';
import { MessageWriter } from '../../src/dist/message-writer';
import { PacketReader } from '../../src/dist/packets';
import { atom, bin, equals, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { thrownBy } from '../support/thrown';

const node = atom('erl@host');
const from = new Pid(node, 80, 0, 7);
const ref = new Reference(node, 7, [1, 2, 3]);
const control = tuple(22, from, new Pid(atom('ts@host'), 1, 0, 9));

function roundTrip(writer: MessageWriter, reader: MessageReader, c: Term, p?: Term) {
  const frames = new PacketReader(1 << 30).push(Buffer.concat(writer.write(c, p)));
  const messages = frames.map((f) => reader.read(f)).filter((m) => m !== null);
  expect(messages).toHaveLength(1);
  return messages[0];
}

describe.each([
  ['pass-through', { headers: false, atomCache: false, fragments: false }],
  ['header, no atom cache', { headers: true, atomCache: false, fragments: true }],
  ['header with atom cache', { headers: true, atomCache: true, fragments: true }],
])('%s', (_name, mode) => {
  const writer = () => new MessageWriter(mode);
  const reader = () => new MessageReader({ headers: mode.headers, maxFragmentBytes: 64 << 20 });

  it('carries control and payload', () => {
    const w = writer();
    const r = reader();
    for (let i = 0; i < 3; i++) {
      const payload = tuple(atom('$gen_call'), tuple(from, ref), tuple(atom('store'), atom('weather'), bin('fine')));
      const m = roundTrip(w, r, control, payload);
      expect(equals(m.control, control)).toBe(true);
      expect(equals(m.payload as Term, payload)).toBe(true);
    }
    const m = roundTrip(w, r, tuple(19, from, atom('net_kernel'), ref));
    expect(m.payload).toBeUndefined();
  });

  it('carries a 10 MB payload', () => {
    const big = Buffer.alloc(10 << 20, 3);
    const frames = writer().write(control, big);
    if (mode.fragments) expect(frames.length).toBeGreaterThan(100);
    const m = roundTrip(writer(), reader(), control, big);
    expect(Buffer.compare(m.payload as Buffer, big)).toBe(0);
  });

  it('carries a 1 MiB payload read from socket-sized chunks as frame pieces', () => {
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const w = writer();
    const r = reader();
    const stream = Buffer.concat([
      ...w.write(control, big),
      ...w.write(tuple(19, from, atom('net_kernel'), ref)),
      ...w.write(control, bin('small')),
    ]);
    const frames = new PacketReader(1 << 30);
    const messages = [];
    // Odd chunk sizes: frame headers and fragment headers split across chunks.
    for (let i = 0, k = 0; i < stream.length; k++) {
      const n = [65536, 7, 1, 3000, 17][k % 5];
      for (const f of frames.pushParts(Buffer.from(stream.subarray(i, i + n)))) {
        const m = r.read(f);
        if (m !== null) messages.push(m);
      }
      i += n;
    }
    expect(messages).toHaveLength(3);
    expect(Buffer.compare(messages[0].payload as Buffer, big)).toBe(0);
    expect(messages[1].payload).toBeUndefined();
    expect(equals(messages[2].payload as Term, bin('small'))).toBe(true);
  });
});

describe('a 1 MiB binary is sent from the sender\'s own Buffer', () => {
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  // sha256 of what the writer wrote before payloads became chunks (one encoded copy per message),
  // for `write(control, big)` then `write(control, {ok, big})` on a fresh writer.
  const before: [string, { headers: boolean; atomCache: boolean; fragments: boolean }, number, string][] = [
    ['pass-through', { headers: false, atomCache: false, fragments: false }, 2097280, '22690f9c5c9e533615c433e9667ff4ce2da0a9bf5f8a54862b6243147ac5741c'],
    ['header, no atom cache', { headers: true, atomCache: false, fragments: true }, 2098016, 'c19985e5777956479d15ff1fbaa685825bf45053783860ccb392f63f57069c7b'],
    ['header with atom cache', { headers: true, atomCache: true, fragments: true }, 2098013, 'b53d5229762317e379166d1ca7d997de4623751eb8426c1107c1eda464514e5e'],
  ];

  it.each(before)('%s: the same bytes as before, the binary\'s bytes as views of it, never copied', (_name, mode, length, sha256) => {
    const w = new MessageWriter(mode);
    const chunks = [...w.write(control, big), ...w.write(control, tuple(atom('ok'), big))];
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    const views = chunks.filter((c) => c.buffer === big.buffer);
    expect(views.reduce((n, c) => n + c.length, 0)).toBe(2 * big.length);
    // Every other chunk is small: headers and the encoded terms around the binary.
    expect(chunks.filter((c) => c.buffer !== big.buffer).every((c) => c.length < 1024)).toBe(true);
    if (mode.fragments) {
      // 64 KiB fragments: 17 frames for each message, each fragment's data one view.
      const frames = new PacketReader(1 << 30).push(bytes);
      expect(frames).toHaveLength(34);
      expect(views.length).toBe(34);
    }
  });

  it('what the writer sends of a Buffer changes with it until written (the caller must not change it)', () => {
    const mine = Buffer.from(big);
    const chunks = new MessageWriter({ headers: true, atomCache: true, fragments: true }).write(control, mine);
    mine.fill(0);
    expect(Buffer.concat(chunks).includes(big.subarray(0, 1000))).toBe(false);
  });
});

it('fragments in pieces still count against maxFragmentBytes', () => {
  const w = new MessageWriter({ headers: true, atomCache: false, fragments: true });
  const r = new MessageReader({ headers: true, maxFragmentBytes: 200_000 });
  const frames = new PacketReader(1 << 30);
  const stream = Buffer.concat(w.write(control, Buffer.alloc(1 << 20)));
  const failure = thrownBy(() => {
    for (let i = 0; i < stream.length; i += 1000) for (const f of frames.pushParts(stream.subarray(i, i + 1000))) r.read(f);
  });
  expect(failure).toMatchObject({ code: 'fragment_memory' });
});

it('the atom cache makes repeated atoms cheaper', () => {
  const w = new MessageWriter({ headers: true, atomCache: true, fragments: false });
  const size = () => Buffer.concat(w.write(control, tuple(atom('a_rather_long_atom_name'), atom('another_one')))).length;
  const first = size();
  const second = size();
  expect(second).toBeLessThan(first - 30);
});

it('refuses garbage, unknown headers and trailing bytes with DistError', () => {
  const r = new MessageReader({ headers: true, maxFragmentBytes: 1024 });
  expect(thrownBy(() => r.read(Buffer.from([131, 99, 0])))).toMatchObject({ code: 'bad_header' });
  expect(thrownBy(() => r.read(Buffer.from([112, 131, 106])))).toMatchObject({ code: 'bad_header' });
  expect(thrownBy(() => r.read(Buffer.from([131, 68, 0, 106, 106, 1])))).toMatchObject({ code: 'bad_term' });
  expect(thrownBy(() => r.read(Buffer.from([131, 68, 0, 200])))).toMatchObject({ code: 'bad_term' });
  const p = new MessageReader({ headers: false, maxFragmentBytes: 1024 });
  expect(thrownBy(() => p.read(Buffer.from([112, 130, 106])))).toMatchObject({ code: 'bad_term' });
  expect(p.read(Buffer.alloc(0))).toBeNull();
});

describe('receiving in pieces', () => {
  const w = () => new MessageWriter({ headers: true, atomCache: true, fragments: true, fragmentSize: 64 });
  const patterned = (n: number, seed: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
    return b;
  };
  const payloads: Term[] = [bin('small'), patterned(300, 1), tuple(atom('store'), atom('k'), patterned(1000, 2), bin('x')), atom('tick_after')];

  /** The stream of the test messages (a tick among them), and what reading it in the given chunk sizes gives. */
  function stream(): Buffer {
    const writer = w();
    const tick = Buffer.alloc(4);
    return Buffer.concat(payloads.flatMap((p) => [...writer.write(control, p), tick]));
  }
  function readAll(bytes: Buffer, cuts: number[]): Term[] {
    const frames = new PacketReader(1 << 20);
    const r = new MessageReader({ headers: true, maxFragmentBytes: 1 << 20 });
    const out: Term[] = [];
    let from = 0;
    for (const to of [...cuts, bytes.length]) {
      for (const f of frames.pushParts(Buffer.from(bytes.subarray(from, to)))) {
        const m = r.read(f);
        if (m !== null) out.push(m.payload as Term);
      }
      from = to;
    }
    expect(frames.buffered).toBe(0);
    return out;
  }

  it('gives the same messages for a stream cut at every byte, and read a byte at a time', () => {
    const bytes = stream();
    expect(w().write(control, payloads[2]).length).toBeGreaterThan(10);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = readAll(bytes, [cut]);
      expect(got).toHaveLength(payloads.length);
      got.forEach((t, i) => expect(equals(t, payloads[i])).toBe(true));
    }
    const bytewise = readAll(
      bytes,
      Array.from({ length: bytes.length }, (_, i) => i),
    );
    bytewise.forEach((t, i) => expect(equals(t, payloads[i])).toBe(true));
  });

  it('a continuation out of order, or for no sequence, closes with a fragment error', () => {
    const frames = w().write(control, patterned(300, 3));
    const r = new MessageReader({ headers: true, maxFragmentBytes: 1 << 20 });
    const packets = new PacketReader(1 << 20).push(Buffer.concat(frames));
    expect(r.read(packets[0])).toBeNull();
    expect(thrownBy(() => r.read(packets[2]))).toMatchObject({ code: 'fragment' });
    const fresh = new MessageReader({ headers: true, maxFragmentBytes: 1 << 20 });
    expect(thrownBy(() => fresh.read(packets[1]))).toMatchObject({ code: 'fragment' });
  });

  it('binaries received earlier are unchanged after many more messages are read', () => {
    const writer = new MessageWriter({ headers: true, atomCache: true, fragments: true, fragmentSize: 4096 });
    const frames = new PacketReader(1 << 30);
    const r = new MessageReader({ headers: true, maxFragmentBytes: 64 << 20 });
    const kept: Array<{ got: Buffer; want: Buffer }> = [];
    for (let i = 0; i < 100; i++) {
      // Large (fragmented, most of the message) and small (a part of the frame) binaries alike.
      const want = patterned(i % 2 === 0 ? 100_000 + i : 10 + i, i);
      const bytes = Buffer.concat(writer.write(control, tuple(atom('store'), i, want)));
      for (let at = 0; at < bytes.length; at += 65536) {
        for (const f of frames.pushParts(Buffer.from(bytes.subarray(at, at + 65536)))) {
          const m = r.read(f);
          if (m !== null) kept.push({ got: (m.payload as Tuple).get(2) as Buffer, want: Buffer.from(want) });
        }
      }
    }
    expect(kept).toHaveLength(100);
    for (const k of kept) expect(k.got.equals(k.want)).toBe(true);
    // A small binary is a copy: it does not keep its frame's socket chunk alive.
    expect(kept[1].got.buffer.byteLength).toBeLessThan(65536);
  });
});
