import { PacketParts, PacketReader } from '../../src/dist/packets';
import { FragmentAssembler } from '../../src/dist/fragments-in';
import { AtomCacheIn } from '../../src/dist/atom-cache-in';
import { AtomCacheOut } from '../../src/dist/atom-cache-out';
import { DistError } from '../../src/dist/errors';
import { atom } from '../../codec';
import { thrownBy } from '../support/thrown';

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

describe('PacketReader', () => {
  it('splits frames across and within chunks, ticks included', () => {
    const r = new PacketReader(1 << 20);
    const stream = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.alloc(0)), frame(Buffer.from('hello world'))]);
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += 2) for (const f of r.push(stream.subarray(i, i + 2))) out.push(f.toString());
    expect(out).toEqual(['abc', '', 'hello world']);
    expect(r.buffered).toBe(0);
  });

  it('assembles a 10 MB frame from 64 KiB chunks in linear time', () => {
    const r = new PacketReader(16 << 20);
    const big = frame(Buffer.alloc(10 << 20, 7));
    const started = process.hrtime.bigint();
    const frames: Buffer[] = [];
    for (let i = 0; i < big.length; i += 65536) frames.push(...r.push(big.subarray(i, i + 65536)));
    expect(frames).toHaveLength(1);
    expect(frames[0].length).toBe(10 << 20);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });

  it('hands a frame spanning many chunks out as views of them, with nothing copied', () => {
    const r = new PacketReader(1 << 20);
    const a = Buffer.alloc(100_000);
    for (let i = 0; i < a.length; i++) a[i] = i & 0xff;
    const stream = Buffer.concat([frame(Buffer.from('x')), frame(a), frame(Buffer.from('tail'))]);
    const out: Array<Buffer | PacketParts> = [];
    const chunks: Buffer[] = [];
    // Chunk sizes that split the length prefix too (3 bytes, then 1).
    for (let i = 0; i < stream.length; ) {
      const n = i === 5 ? 3 : i === 8 ? 1 : 7001;
      chunks.push(Buffer.from(stream.subarray(i, i + n)));
      i += n;
    }
    for (const c of chunks) out.push(...r.pushParts(c));
    expect(out).toHaveLength(3);
    expect(Buffer.isBuffer(out[0]) && out[0].toString()).toBe('x');
    const big = out[1] as PacketParts;
    expect(big).toBeInstanceOf(PacketParts);
    expect(big.length).toBe(a.length);
    expect(big.parts.reduce((n, p) => n + p.length, 0)).toBe(a.length);
    expect(big.parts.length).toBeGreaterThan(10);
    // Views of the chunks, not copies.
    for (const p of big.parts) expect(chunks.some((c) => c.buffer === p.buffer)).toBe(true);
    expect(big.head(18).equals(a.subarray(0, 18))).toBe(true);
    expect(Buffer.concat(big.from(12_345)).equals(a.subarray(12_345))).toBe(true);
    expect(big.contiguous().equals(a)).toBe(true);
    expect(Buffer.concat(big.from(18)).equals(a.subarray(18))).toBe(true);
    expect((out[2] as Buffer).toString()).toBe('tail');
    expect(r.buffered).toBe(0);
  });

  it('push joins frames that span chunks; a tick whose length is split still comes out', () => {
    const r = new PacketReader(1 << 20);
    const stream = Buffer.concat([frame(Buffer.alloc(0)), frame(Buffer.from('hello world')), frame(Buffer.alloc(0))]);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...r.push(stream.subarray(i, i + 3)));
    expect(out.map((b) => b.toString())).toEqual(['', 'hello world', '']);
    for (const b of out) expect(Buffer.isBuffer(b)).toBe(true);
  });

  it('refuses a frame larger than the limit before buffering it', () => {
    const r = new PacketReader(1000);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff);
    expect(() => r.push(head)).toThrow(DistError);
  });
});

describe('FragmentAssembler', () => {
  it('joins fragments counting down to 1', () => {
    const a = new FragmentAssembler(1 << 20);
    expect(a.start(7n, 3n, Buffer.from('ab'))).toBeNull();
    expect(a.continue(7n, 2n, Buffer.from('cd'))).toBeNull();
    expect(a.held).toBe(4);
    expect(a.continue(7n, 1n, Buffer.from('ef'))?.toString()).toBe('abcdef');
    expect(a.held).toBe(0);
    expect(a.start(8n, 1n, Buffer.from('x'))?.toString()).toBe('x');
  });

  it('rejects out-of-order, unknown and oversized sequences', () => {
    const a = new FragmentAssembler(10);
    a.start(1n, 3n, Buffer.from('ab'));
    expect(() => a.continue(1n, 1n, Buffer.from('x'))).toThrow(/due/);
    expect(() => a.continue(2n, 1n, Buffer.from('x'))).toThrow(/unknown/);
    expect(() => a.start(1n, 2n, Buffer.from('x'))).toThrow(/twice/);
    const b = new FragmentAssembler(10);
    b.start(1n, 2n, Buffer.alloc(6));
    expect(thrownBy(() => b.start(2n, 2n, Buffer.alloc(6)))).toMatchObject({ code: 'fragment_memory' });
  });
});

describe('FragmentAssembler, fragments in parts', () => {
  it('copies each part once, into a buffer of the exact size, when the last fragment is in', () => {
    const a = new FragmentAssembler(1 << 20);
    const chunk = Buffer.from('..cdefgh..');
    expect(a.start(9n, 3n, Buffer.from('ab'))).toBeNull();
    expect(a.continue(9n, 2n, [chunk.subarray(2, 4), chunk.subarray(4, 8)])).toBeNull();
    expect(a.held).toBe(8);
    const whole = a.continue(9n, 1n, [Buffer.from('ij'), Buffer.alloc(0), Buffer.from('k')]);
    expect(whole?.toString()).toBe('abcdefghijk');
    expect(whole?.length).toBe(11);
    expect(a.held).toBe(0);
  });

  it('still enforces the memory bound on parts, before holding them', () => {
    const a = new FragmentAssembler(10);
    a.start(1n, 3n, Buffer.alloc(4));
    a.continue(1n, 2n, [Buffer.alloc(3), Buffer.alloc(3)]);
    expect(a.held).toBe(10);
    expect(thrownBy(() => a.continue(1n, 1n, [Buffer.alloc(1)]))).toMatchObject({ code: 'fragment_memory' });
  });

  it('a small piece of a large chunk is copied, not kept as a view of the chunk', () => {
    const a = new FragmentAssembler(1 << 20);
    const chunk = Buffer.alloc(65536, 1);
    a.start(1n, 3n, Buffer.alloc(10));
    // Held through the test's access to the private map: the piece must not pin the 64 KiB chunk.
    a.continue(1n, 2n, [chunk.subarray(0, 100)]);
    const seq = (a as unknown as { sequences: Map<bigint, { parts: Buffer[] }> }).sequences.get(1n)!;
    expect(seq.parts[1].buffer).not.toBe(chunk.buffer);
    a.continue(1n, 1n, [chunk.subarray(0, 40_000)]);
  });
});

describe('atom cache', () => {
  it('what the sender caches the receiver resolves, new entries first, then references', () => {
    const out = new AtomCacheOut();
    const inn = new AtomCacheIn();
    const names = ['net_kernel', 'a@host', 'b@host', 'λ', 'x'.repeat(255)];
    out.begin();
    const idx = names.map((n) => out.refFor(atom(n)));
    expect(idx).toEqual([0, 1, 2, 3, 4]);
    expect(out.refFor(atom('net_kernel'))).toBe(0);
    const first = out.headerRefs();
    expect(inn.readRefs(first, 0)).toBe(first.length);
    expect(inn.refs).toEqual(names.map((n) => atom(n)));

    out.begin();
    out.refFor(atom('b@host'));
    out.refFor(atom('net_kernel'));
    const second = out.headerRefs();
    // Both already cached: count, one flag byte, two slot bytes, no text.
    expect(second.length).toBe(1 + 2 + 2);
    inn.readRefs(second, 0);
    expect(inn.refs).toEqual([atom('b@host'), atom('net_kernel')]);
  });

  it('uses two-byte lengths when an atom text is longer than 255 bytes', () => {
    const out = new AtomCacheOut();
    const inn = new AtomCacheIn();
    const long = 'λ'.repeat(200); // 400 UTF-8 bytes, 200 characters
    out.begin();
    out.refFor(atom(long));
    const header = out.headerRefs();
    inn.readRefs(header, 0);
    expect(inn.refs).toEqual([atom(long)]);
  });

  it('does not cache what was never sent', () => {
    const out = new AtomCacheOut();
    out.begin();
    out.refFor(atom('lost')); // this message failed to encode; no headerRefs()
    out.begin();
    out.refFor(atom('lost'));
    const header = out.headerRefs();
    expect(header[1] & 8).toBe(8); // still a new entry
  });

  it('rejects a reference to an empty slot and truncated headers', () => {
    const inn = new AtomCacheIn();
    expect(() => inn.readRefs(Buffer.from([1, 0x00, 5]), 0)).toThrow(/empty cache slot/);
    expect(() => inn.readRefs(Buffer.from([1, 0x08, 5, 10, 97]), 0)).toThrow(/truncated/);
    expect(() => inn.readRefs(Buffer.from([3]), 0)).toThrow(/truncated/);
  });
});
