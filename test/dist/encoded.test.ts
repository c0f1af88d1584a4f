/**
 * Payloads encoded once (src/dist/encoded.ts): the writer sends the remembered bytes instead of
 * encoding the term again, in every wire format, and the peer reads the same term.
 */
import { atom, bin, EncodeError, equals, Pid, Reference, Term, tuple } from '../../codec';
import { encodeOnce, knownEncoding } from '../../src/dist/encoded';
import { MessageReader } from '../../src/dist/message-reader';
import { MessageWriter } from '../../src/dist/message-writer';
import { PacketReader } from '../../src/dist/packets';

const node = atom('erl@host');
const watcher = new Pid(node, 80, 0, 7);
const ref = new Reference(atom('ts@host'), 7, [1, 2, 3]);
const control = tuple(28, new Pid(atom('ts@host'), 5, 0, 1), watcher, ref);

describe.each([
  ['pass-through', { headers: false, atomCache: false, fragments: false }],
  ['header, no atom cache', { headers: true, atomCache: false, fragments: true }],
  ['header with atom cache', { headers: true, atomCache: true, fragments: true }],
])('%s', (_name, mode) => {
  it('sends the bytes encodeOnce made, and the peer reads the same term', () => {
    const writer = new MessageWriter(mode);
    const reader = new MessageReader({ headers: mode.headers, maxFragmentBytes: 64 << 20 });
    const reason = encodeOnce(tuple(ref, atom('return'), [atom('ok'), bin('fine'.repeat(300)), 42]));
    const bytes = knownEncoding(reason);
    expect(bytes).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const chunks = writer.write(control, reason);
      for (const b of bytes ?? []) expect(chunks).toContain(b); // the very buffers: not encoded again
      const [message] = new PacketReader(1 << 30).push(Buffer.concat(chunks)).map((f) => reader.read(f));
      expect(equals(message?.payload as Term, reason)).toBe(true);
      expect(equals(message?.control as Term, control)).toBe(true);
    }
  });

  it('a large pre-encoded payload is fragmented like any other', () => {
    const writer = new MessageWriter({ ...mode, fragmentSize: 1024 });
    const reader = new MessageReader({ headers: mode.headers, maxFragmentBytes: 64 << 20 });
    const big = encodeOnce(tuple(ref, atom('return'), Buffer.alloc(10_000, 7)));
    const frames = new PacketReader(1 << 30).push(Buffer.concat(writer.write(control, big)));
    if (mode.fragments) expect(frames.length).toBeGreaterThan(1);
    const messages = frames.map((f) => reader.read(f)).filter((m) => m !== null);
    expect(messages).toHaveLength(1);
    expect(equals(messages[0].payload as Term, big)).toBe(true);
  });
});

describe('encodeOnce', () => {
  it('throws the EncodeError sending would, and remembers nothing for it', () => {
    const notATerm = tuple(atom('return'), { some: 'object' } as unknown as Term);
    expect(() => encodeOnce(notATerm)).toThrow(EncodeError);
    expect(knownEncoding(notATerm)).toBeUndefined();
  });

  it('checks small payloads, scalars and atoms without remembering them (encoding again is cheaper)', () => {
    const small = encodeOnce(tuple(ref, atom('return'), [atom('ok'), bin('fine')]));
    expect(knownEncoding(small)).toBeUndefined();
    expect(encodeOnce(atom('ok'))).toBe(atom('ok'));
    expect(knownEncoding(atom('ok'))).toBeUndefined();
    expect(encodeOnce(42)).toBe(42);
    expect(knownEncoding(42)).toBeUndefined();
  });
});
