/**
 * The codec against byte vectors written by real OTP 25, 27 and 29 (fixtures/etf, made by
 * gen_vectors.escript). Needs no erl at run time: the vectors are committed.
 *
 * - term vectors: decode then encode gives the very same bytes (every OTP's file);
 *   on OTP 25 also a freshly built copy of the decoded term (no wire-order or V4 hints) encodes to
 *   those bytes: the encoder's own choices are BEAM's.
 * - decode vectors (old tags, non-canonical forms, compressed): our decode equals our decode of
 *   BEAM's re-encoding; on OTP 25 a fresh copy encodes to exactly BEAM's re-encoding. (A fresh
 *   copy, because a decoded term keeps two wire hints on purpose, so that decode-then-encode is
 *   byte-identical: a map's wire order (an unsorted MAP_EXT stays unsorted) and a port's V4 tag
 *   (a V4_PORT_EXT with a small id stays V4, where OTP 25 would write NEW_PORT_EXT).)
 * - reject vectors: bytes every OTP refuses make our decoder throw a DecodeError (and only that).
 */
import { decode } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { DecodeError } from '../../codec/errors';
import { equals } from '../../codec/compare';
import { ErlMap } from '../../codec/erlmap';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../../codec/terms';
import { hasLargeMap, loadVectorFile, showTerm, Vector, VECTOR_FILES, vectorBytes } from '../support/arbitrary';

/** A deep copy made of fresh objects: no map keeps its wire order, no port its V4 flag. */
function rebuild(t: Term): Term {
  if (Array.isArray(t)) return t.map(rebuild);
  if (t instanceof Tuple) return new Tuple(t.elements.map(rebuild));
  if (t instanceof ImproperList) return new ImproperList(t.elements.map(rebuild), rebuild(t.tail));
  if (t instanceof ErlMap) return new ErlMap(t.entries().map(([k, v]) => [rebuild(k), rebuild(v)] as const));
  if (t instanceof Port) return new Port(t.node, t.id, t.creation);
  if (t instanceof Fun) {
    return new Fun(t.module, t.arity, t.uniq, t.index, t.oldIndex, t.oldUniq, rebuild(t.pid), t.free.map(rebuild), t.legacy);
  }
  return t;
}

function hexOf(b: Buffer): string {
  return b.toString('hex');
}

/** First differing byte, for readable failures on long vectors. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const at = Math.floor(i / 2);
  return `lengths ${a.length / 2} vs ${b.length / 2}, first difference at byte ${at}: ...${a.slice(Math.max(0, i - 20), i + 40)} vs ...${b.slice(Math.max(0, i - 20), i + 40)}`;
}

function expectSameHex(actual: Buffer, expected: Buffer, what: string): void {
  const a = hexOf(actual);
  const e = hexOf(expected);
  if (a !== e) {
    throw new Error(
      `${what}: encoded bytes differ from OTP's\n  ours: ${a.length > 400 ? firstDifference(a, e) : a}\n  OTP:  ${e.length > 400 ? '' : e}`,
    );
  }
}

const files = VECTOR_FILES.map(loadVectorFile);

/** Names of reject vectors that every OTP rejects; the others vary with the release. */
const rejectedEverywhere = new Set(
  files[0].vectors
    .filter((v) => v.kind === 'reject')
    .map((v) => v.name)
    .filter((name) => files.every((f) => f.vectors.some((w) => w.name === name && w.kind === 'reject'))),
);

/** Inputs that some releases accept and others refuse (e.g. a map with keys 0.0 and -0.0). */
const releaseDependent = new Set(
  files[0].vectors.map((v) => v.name).filter((name) => new Set(files.map((f) => f.vectors.find((w) => w.name === name)?.kind)).size > 1),
);

/**
 * Inputs BEAM refuses that the term model accepts on purpose, and why. Each is checked to decode
 * and re-encode byte for byte instead.
 */
const ACCEPTED_BY_DESIGN = new Map<string, string>([
  ['bad/FUN_EXT (pre-R8)', 'the model keeps pre-R8 FUN_EXT funs (Fun.legacy) and writes them back as FUN_EXT'],
]);

describe('ETF fixture files', () => {
  it('come from OTP 25, 27 and 29 and cover every kind', () => {
    expect(files.map((f) => f.otp)).toEqual(['25', '27', '29']);
    for (const f of files) {
      const kinds = new Map<string, number>();
      for (const v of f.vectors) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
      expect(kinds.get('term')).toBeGreaterThan(200);
      expect(kinds.get('decode')).toBeGreaterThan(50);
      expect(kinds.get('reject')).toBeGreaterThan(30);
    }
  });

  it('differ between releases in what they accept only where known', () => {
    expect([...releaseDependent].sort()).toEqual(['edge/BIT_BINARY 0 bytes 0 bits', 'edge/MAP_EXT keys 0.0 and -0.0']);
  });

  it('have the same vector names in every release', () => {
    const names = files.map((f) => f.vectors.map((v) => v.name).sort());
    expect(names[1]).toEqual(names[0]);
    expect(names[2]).toEqual(names[0]);
  });

  it('store large vectors intact (size and SHA-256 check out)', () => {
    let large = 0;
    for (const f of files) {
      for (const v of f.vectors) {
        if (v.hex_zlib) {
          vectorBytes(v, 'hex');
          large++;
        }
        if (v.input_zlib) vectorBytes(v, 'input');
      }
    }
    expect(large).toBeGreaterThan(10);
  });

  it('cover every tag BEAM writes and the old ones it reads', () => {
    const written = new Set<number>();
    const read = new Set<number>();
    for (const f of files) {
      for (const v of f.vectors) {
        if (v.kind === 'term') written.add(vectorBytes(v, 'hex')[1]);
        if (v.kind === 'decode') read.add(vectorBytes(v, 'input')[1]);
      }
    }
    // Top-level tags only: the inner ones (e.g. STRING_EXT inside a tuple) are there too.
    for (const tag of [97, 98, 70, 119, 118, 104, 105, 116, 106, 107, 108, 109, 77, 110, 111, 88, 89, 120, 90, 112, 113]) {
      expect(written).toContain(tag);
    }
    for (const tag of [100, 115, 99, 103, 102, 101, 114, 80, 105, 108, 110, 111, 77, 113, 116]) expect(read).toContain(tag);
  });
});

describe.each(files.map((f) => [`OTP ${f.otp} (${f.file})`, f] as const))('vectors of %s', (_label, file) => {
  const byKind = (kind: Vector['kind']) => file.vectors.filter((v) => v.kind === kind).map((v) => [v.name, v] as const);
  const isReference = file.otp === '25';

  describe('term vectors: decode then encode is byte-identical', () => {
    it.each(byKind('term'))('%s', (_name, v) => {
      const bytes = vectorBytes(v, 'hex');
      const term = decode(bytes);
      expectSameHex(encode(term), bytes, v.name);
    });
  });

  if (isReference) {
    describe('term vectors: a freshly built copy encodes like OTP 25 (term_to_binary, minor_version 2)', () => {
      it.each(byKind('term'))('%s', (_name, v) => {
        const bytes = vectorBytes(v, 'hex');
        const fresh = rebuild(decode(bytes));
        const ours = encode(fresh);
        if (hasLargeMap(fresh)) {
          // Maps over 32 keys: BEAM writes them in hash order, we in insertion order. Same term.
          expect(equals(decode(ours), decode(bytes))).toBe(true);
        } else {
          expectSameHex(ours, bytes, v.name);
        }
      });
    });
  }

  describe('decode vectors: decode(input) is the term BEAM decoded', () => {
    it.each(byKind('decode'))('%s', (_name, v) => {
      const input = vectorBytes(v, 'input');
      const beam = vectorBytes(v, 'hex');
      let ours: Term;
      try {
        ours = decode(input);
      } catch (e) {
        // Another release refuses these bytes: refusing them too is fine, if with a DecodeError.
        if (releaseDependent.has(v.name) && e instanceof DecodeError) return;
        throw e;
      }
      const theirs = decode(beam);
      if (!equals(ours, theirs)) {
        throw new Error(`${v.name}: decode(input) = ${showTerm(ours)}\n  but BEAM decoded ${showTerm(theirs)}`);
      }
      // Whatever we decoded encodes to bytes that decode to the same term again.
      expect(equals(decode(encode(ours)), ours)).toBe(true);
      if (isReference) {
        const fresh = rebuild(ours);
        if (hasLargeMap(fresh)) expect(equals(decode(encode(fresh)), theirs)).toBe(true);
        else expectSameHex(encode(fresh), beam, `${v.name} (re-encoding)`);
      }
    });
  });

  describe('reject vectors: bytes every OTP refuses throw DecodeError', () => {
    const rejects = byKind('reject').filter(([name]) => rejectedEverywhere.has(name) && !ACCEPTED_BY_DESIGN.has(name));
    it.each(rejects)('%s', (_name, v) => {
      const input = vectorBytes(v, 'input');
      let thrown: unknown;
      let result: Term | undefined;
      try {
        result = decode(input);
      } catch (e) {
        thrown = e;
      }
      if (thrown === undefined) {
        throw new Error(`${v.name}: BEAM rejects ${input.toString('hex')} but we decoded ${showTerm(result as Term)}`);
      }
      expect(thrown).toBeInstanceOf(DecodeError);
    });
  });
});

describe('inputs BEAM refuses but the model accepts on purpose', () => {
  const v25 = new Map(files[0].vectors.map((v) => [v.name, v]));
  it.each([...ACCEPTED_BY_DESIGN].map(([name, why]) => [name, why] as const))('%s: %s', (name) => {
    const v = v25.get(name) as Vector;
    expect(v.kind).toBe('reject');
    const input = vectorBytes(v, 'input');
    const t = decode(input);
    expect(t).toBeInstanceOf(Fun);
    expect((t as Fun).legacy).toBe(true);
    // Still FUN_EXT when written back (its pid and atoms in today's tags), and the same term.
    const again = encode(t);
    expect(again[1]).toBe(117);
    expect(equals(decode(again), t)).toBe(true);
  });
});

describe('decoded values of OTP 25 vectors (spot checks)', () => {
  const byName = new Map(files[0].vectors.map((v) => [v.name, v]));
  const term = (name: string): Term => {
    const v = byName.get(name);
    if (!v) throw new Error(`no vector ${name}`);
    return decode(vectorBytes(v, v.kind === 'decode' ? 'input' : 'hex'));
  };

  it('numbers', () => {
    expect(term('int/0')).toBe(0);
    expect(term('int/-2^31-1')).toBe(-(2 ** 31) - 1);
    expect(term('int/2^53-1')).toBe(2 ** 53 - 1);
    expect(term('int/2^53')).toBe(2n ** 53n);
    expect(term('int/2^64')).toBe(2n ** 64n);
    expect(term('int/-2^2048')).toBe(-(2n ** 2048n));
    const one = term('float/1.0');
    expect(one).toBeInstanceOf(ErlFloat);
    expect((one as ErlFloat).value).toBe(1);
    expect(Object.is((term('float/-0.0') as ErlFloat).value, -0)).toBe(true);
    expect((term('float/5.0e-324 (min subnormal)') as ErlFloat).value).toBe(5e-324);
    expect((term('old/FLOAT_EXT 0.1') as ErlFloat).value).toBe(0.1);
    expect(term('old/SMALL_BIG 5')).toBe(5);
    expect(term('old/SMALL_BIG negative zero digits')).toBe(0);
  });

  it('atoms and booleans', () => {
    expect(term('atom/true')).toBe(true);
    expect(term('atom/false')).toBe(false);
    expect(term('old/ATOM_EXT true')).toBe(true);
    expect(term('atom/ok')).toBe(Atom.of('ok'));
    expect(term('atom/lambda')).toBe(Atom.of('λ'));
    expect(term('atom/emoji')).toBe(Atom.of('😀'));
    expect(term("atom/'' (empty)")).toBe(Atom.of(''));
    expect(term('atom/255 emoji (1020 bytes)')).toBe(Atom.of('😀'.repeat(255)));
    expect(term('old/ATOM_EXT latin1 bytes')).toBe(Atom.of('ÿé'));
  });

  it('lists, binaries and bitstrings', () => {
    expect(term('list/"abc"')).toEqual([97, 98, 99]);
    expect(term('list/[] (NIL)')).toEqual([]);
    const improper = term('list/[1,2|3]');
    expect(improper).toBeInstanceOf(ImproperList);
    expect((improper as ImproperList).elements).toEqual([1, 2]);
    expect((improper as ImproperList).tail).toBe(3);
    expect(term('old/LIST_EXT 0 elements tail 1')).toBe(1);
    expect(term('list/byte list 65536 (LIST_EXT)')).toHaveLength(65536);
    const hello = term('binary/<<"hello">>');
    expect(Buffer.isBuffer(hello) && hello.toString()).toBe('hello');
    const bits = term('bitstring/<<5:3>>') as BitBinary;
    expect(bits).toBeInstanceOf(BitBinary);
    expect(bits.bits).toBe(3);
    expect(bits.bitLength).toBe(3);
    expect([...bits.buffer]).toEqual([0b10100000]);
    expect(equals(term('old/BIT_BINARY garbage in unused bits'), new BitBinary(Buffer.from([0xe0]), 3))).toBe(true);
    expect(Buffer.isBuffer(term('old/BIT_BINARY 8 bits'))).toBe(true);
  });

  it('tuples and maps', () => {
    const t = term('tuple/256 elements (LARGE_TUPLE)');
    expect(t).toBeInstanceOf(Tuple);
    expect((t as Tuple).length).toBe(256);
    expect((term('tuple/{}') as Tuple).length).toBe(0);
    const m = term('map/mixed key types') as ErlMap;
    expect(m).toBeInstanceOf(ErlMap);
    expect(m.get(1)).toBe(Atom.of('a'));
    expect(m.get(new ErlFloat(1))).toBe(Atom.of('b'));
    expect(m.get(new Tuple([Atom.of('x')]))).toBe(Atom.of('c'));
    expect(m.get([1])).toBe(Atom.of('d'));
    expect(m.get(new ErlMap())).toBe(Atom.of('e'));
    expect(m.get(Buffer.from('k'))).toBe(Atom.of('f'));
    expect(m.get(2n ** 70n)).toBe(Atom.of('o'));
    expect((term('map/1000 int keys') as ErlMap).get(500)).toBe(-500);
  });

  it('pids, ports, references and funs', () => {
    const pid = term('pid/a@b all 32-bit max') as Pid;
    expect(pid).toBeInstanceOf(Pid);
    expect([pid.node, pid.id, pid.serial, pid.creation]).toEqual([Atom.of('a@b'), 0xffffffff, 0xffffffff, 0xffffffff]);
    const self = term('pid/self()') as Pid;
    expect(self.node).toBe(Atom.of('nonode@nohost'));
    const port = term('port/V4 id 2^64-1') as Port;
    expect(port.id).toBe(2n ** 64n - 1n);
    expect(port.creation).toBe(0xffffffff);
    expect((term('port/a@b id 5 creation 1') as Port).id).toBe(5);
    expect((term('ref/5 words') as Reference).ids).toEqual([1, 2, 3, 4, 5]);
    expect((term('ref/make_ref()') as Reference).ids).toHaveLength(3);
    const oldRef = term('old/REFERENCE_EXT') as Reference;
    expect(oldRef.ids).toEqual([5]);
    expect(oldRef.creation).toBe(2);
    const oldPid = term('old/PID_EXT creation 3') as Pid;
    expect([oldPid.id, oldPid.serial, oldPid.creation]).toEqual([32767, 8191, 3]);
    const ef = term('fun/export lists:map/2') as ExportFun;
    expect(ef).toBeInstanceOf(ExportFun);
    expect([ef.module, ef.function, ef.arity]).toEqual([Atom.of('lists'), Atom.of('map'), 2]);
    const f = term('fun/local 1 free var') as Fun;
    expect(f).toBeInstanceOf(Fun);
    expect(f.module).toBe(Atom.of('eb_vec_funs'));
    expect(f.arity).toBe(1);
    expect(f.free).toEqual([42]);
    expect(f.uniq).toHaveLength(16);
    expect((term('fun/local no free vars') as Fun).free).toEqual([]);
  });

  it('compressed terms', () => {
    const expected = Array.from({ length: 1000 }, () => Atom.of('hello'));
    for (const name of ['compressed/1000 atoms default level', 'compressed/level 1', 'compressed/level 9']) {
      expect(equals(term(name), expected)).toBe(true);
    }
  });
});
