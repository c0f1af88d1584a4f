/**
 * Decoder unit tests. Unless a comment says otherwise, each hex string is what real erl (OTP 25,
 * the host's) wrote for the Erlang expression in the comment beside it, captured with
 * `erl -noshell -eval 'io:format("~s~n", [binary:encode_hex(term_to_binary(T, [{minor_version,2}]))]), halt().'`.
 * "erl accepts" means OTP 25's binary_to_term decoded those (hand-made) bytes.
 */
import * as zlib from 'node:zlib';
import { Decoder, decode } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { DecodeError } from '../../codec/errors';
import { equals } from '../../codec/compare';
import { ErlMap } from '../../codec/erlmap';
import { Atom, atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple, tuple } from '../../codec/terms';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The DecodeError that decoding `bytes` throws (fails the test if it throws nothing or something else). */
function decodeError(bytes: Buffer, decoder: Decoder = new Decoder()): DecodeError {
  try {
    decoder.decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`expected a DecodeError, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected a DecodeError for ${bytes.toString('hex').slice(0, 80)}, but it decoded`);
}

const NONODE = atom('nonode@nohost');
const N = atom('n');

describe('integers', () => {
  it.each<[string, string, number | bigint]>([
    ['255 (SMALL_INTEGER_EXT)', '8361ff', 255],
    ['256 (INTEGER_EXT)', '836200000100', 256],
    ['-1 (INTEGER_EXT)', '8362ffffffff', -1],
    ['-2147483648', '836280000000', -2147483648],
    ['2147483648 (SMALL_BIG_EXT)', '836e040000000080', 2147483648],
    ['2^53-1 is the largest number', '836e0700ffffffffffff1f', Number.MAX_SAFE_INTEGER],
    ['-(2^53-1) is the smallest number', '836e0701ffffffffffff1f', -Number.MAX_SAFE_INTEGER],
    ['2^53 is a bigint', '836e070000000000000020', 2n ** 53n],
    ['-(2^53) is a bigint', '836e070100000000000020', -(2n ** 53n)],
    ['2^64', '836e0900000000000000000001', 2n ** 64n],
    ['-(2^64)', '836e0901000000000000000001', -(2n ** 64n)],
  ])('%s', (_name, bytes, value) => {
    const t = decode(hex(bytes));
    expect(typeof t).toBe(typeof value);
    expect(t).toBe(value);
  });

  it('2^2040-1 (SMALL_BIG_EXT with 255 digit bytes) and 2^2040 (LARGE_BIG_EXT)', () => {
    // (1 bsl 2040) - 1 is 836eff00 then 255 bytes ff; 1 bsl 2040 is 836f00000100 00 then 255 zero bytes and 01.
    expect(decode(Buffer.concat([hex('836eff00'), Buffer.alloc(255, 0xff)]))).toBe(2n ** 2040n - 1n);
    expect(decode(Buffer.concat([hex('836f0000010000'), Buffer.alloc(255, 0), hex('01')]))).toBe(2n ** 2040n);
  });

  it('non-canonical bignums as erl accepts them: no digits, leading zero digits, any non-zero sign', () => {
    expect(decode(hex('836e0000'))).toBe(0); // erl accepts: 0
    expect(decode(hex('836e0001'))).toBe(0); // erl accepts: 0 (no -0 among integers)
    expect(decode(hex('836e02000500'))).toBe(5); // erl accepts: 5
    expect(decode(hex('836e010205'))).toBe(-5); // erl accepts: -5
    expect(decode(hex('836e08000000000000000100'))).toBe(2 ** 48); // a number despite 8 digit bytes
  });
});

describe('floats', () => {
  it('NEW_FLOAT_EXT decodes to ErlFloat, so 1.0 stays a float', () => {
    const one = decode(hex('83463ff0000000000000')); // 1.0
    expect(one).toBeInstanceOf(ErlFloat);
    expect((one as ErlFloat).value).toBe(1);
    expect(Object.is((decode(hex('83468000000000000000')) as ErlFloat).value, -0)).toBe(true); // -0.0
    expect((decode(hex('83467fefffffffffffff')) as ErlFloat).value).toBe(Number.MAX_VALUE); // 1.7976931348623157e308
  });

  it("floats: 'number' gives plain numbers", () => {
    expect(new Decoder({ floats: 'number' }).decode(hex('83463ff8000000000000'))).toBe(1.5); // 1.5
  });

  it('old FLOAT_EXT (31 bytes of %.20e text)', () => {
    // term_to_binary(1.5, [{minor_version, 0}])
    const t = decode(hex('8363312e3530303030303030303030303030303030303030652b30300000000000'));
    expect(t).toEqual(new ErlFloat(1.5));
  });

  it("FLOAT_EXT text the way BEAM's parser takes it", () => {
    const f31 = (text: string): Buffer => Buffer.concat([hex('8363'), Buffer.from(text, 'latin1'), Buffer.alloc(31 - text.length)]);
    expect(decode(f31('1.5'))).toEqual(new ErlFloat(1.5)); // erl accepts
    expect(decode(f31('1,5'))).toEqual(new ErlFloat(1.5)); // erl accepts a comma
    expect(decode(f31('1.5E+2'))).toEqual(new ErlFloat(150)); // erl accepts
    for (const bad of ['15', '1.5abc', ' 1.5e0', '1.5e999', 'nan', 'inf']) {
      const e = decodeError(f31(bad)); // erl rejects each
      expect([bad, e.code, e.offset]).toEqual([bad, 'bad_value', 1]);
    }
    // 31 characters and no NUL: erl rejects.
    expect(decodeError(Buffer.concat([hex('8363'), Buffer.from('1.' + '0'.repeat(29))])).code).toBe('bad_value');
  });

  it('a NEW_FLOAT_EXT that is NaN or infinite is bad_value', () => {
    expect(decodeError(hex('83467ff8000000000000')).code).toBe('bad_value');
    expect(decodeError(hex('8346fff0000000000000')).code).toBe('bad_value');
  });
});

describe('atoms', () => {
  it('SMALL_ATOM_UTF8_EXT, interned', () => {
    expect(decode(hex('837703616263'))).toBe(Atom.of('abc')); // abc
  });

  it('true and false are JS booleans', () => {
    expect(decode(hex('83770474727565'))).toBe(true);
    expect(decode(hex('83770566616c7365'))).toBe(false);
    expect(decode(hex('8364000474727565'))).toBe(true); // ATOM_EXT true: erl accepts
  });

  it('ATOM_EXT and SMALL_ATOM_EXT are Latin-1', () => {
    expect(decode(hex('83640003616263'))).toBe(Atom.of('abc')); // term_to_binary(abc, [{minor_version,1}])
    expect(decode(hex('837303616263'))).toBe(Atom.of('abc'));
    expect(decode(hex('8373036162c8'))).toBe(Atom.of('ab\u00c8')); // erl accepts: 'abÈ'
  });

  it('ATOM_UTF8_EXT and unicode atoms', () => {
    // list_to_atom(lists:duplicate(128, 16#e9)): 256 UTF-8 bytes, so ATOM_UTF8_EXT
    const bytes = Buffer.concat([hex('83760100'), Buffer.from('\u00e9'.repeat(128), 'utf8')]);
    expect(decode(bytes)).toBe(Atom.of('\u00e9'.repeat(128)));
    expect(decode(hex('837707f09f988078c3a9'))).toBe(Atom.of('\u{1f600}x\u00e9')); // list_to_atom([16#1f600, $x, 16#e9])
  });

  it('atoms whose bytes are not UTF-8 are bad_utf8, as erl rejects them', () => {
    for (const bytes of ['837702c080', '837703eda080', '83760003ffffff', '837704f4908080']) {
      const e = decodeError(hex(bytes));
      expect([bytes, e.code, e.offset]).toEqual([bytes, 'bad_utf8', 1]);
    }
  });

  it('the same bytes give the same atom from the cache and from a fresh decoder', () => {
    const d = new Decoder();
    const first = d.decode(hex('8377057a65627261'));
    expect(d.decode(hex('8377057a65627261'))).toBe(first);
    expect(new Decoder().decode(hex('8377057a65627261'))).toBe(first);
    // Different bytes of the same length are a different atom even where a cache slot collides.
    const names = Array.from({ length: 5000 }, (_, i) => `k${i.toString(36).padStart(4, '0')}`);
    for (const name of names) expect(d.decode(Buffer.concat([hex('837705'), Buffer.from(name)]))).toBe(Atom.of(name));
    // Longer atoms that agree in their first 8 bytes, their length and their last byte share a
    // cache slot; the bytes between must still tell them apart.
    const wrong: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        const name = `abcdefgh${i.toString(36).padStart(3, '0')}Q`;
        const got = d.decode(Buffer.concat([hex('83770c'), Buffer.from(name)]));
        if (got !== Atom.of(name)) wrong.push(name);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('ATOM_CACHE_REF resolves through the atom cache, read at decode time', () => {
    const cache: Array<Atom | undefined> = [atom('zero'), undefined, atom('two')];
    const d = new Decoder({ atomCache: cache });
    // Synthetic (term_to_binary never writes tag 82): {ATOM_CACHE_REF 0, ATOM_CACHE_REF 2}
    expect(equals(d.decode(hex('8368025200 5202')), tuple(atom('zero'), atom('two')))).toBe(true);
    cache[0] = atom('changed');
    expect(d.decode(hex('835200'))).toBe(atom('changed'));
    const e = decodeError(hex('8368025200 5201'), d);
    expect([e.code, e.offset]).toEqual(['atom_cache_miss', 5]);
    expect(decodeError(hex('835200')).code).toBe('atom_cache_miss'); // no cache at all (erl rejects 82 outside distribution)
  });
});

describe('tuples, lists, maps', () => {
  it('SMALL_TUPLE_EXT and LARGE_TUPLE_EXT', () => {
    expect(decode(hex('836800'))).toEqual(new Tuple([])); // {}
    const t = decode(hex('83680377016161016d0000000162')); // {a, 1, <<"b">>}
    expect(equals(t, tuple(atom('a'), 1, Buffer.from('b')))).toBe(true);
    // erlang:make_tuple(256, 0): 8369 00000100 then 256 times 6100
    const big = decode(Buffer.concat([hex('836900000100'), Buffer.from('6100'.repeat(256), 'hex')]));
    expect(big).toBeInstanceOf(Tuple);
    expect((big as Tuple).elements).toEqual(new Array(256).fill(0));
    expect(decode(hex('836900000000'))).toEqual(new Tuple([])); // LARGE_TUPLE_EXT of 0: erl accepts
  });

  it('NIL, STRING_EXT (into number[]) and LIST_EXT', () => {
    expect(decode(hex('836a'))).toEqual([]); // []
    expect(decode(hex('836b0003616263'))).toEqual([97, 98, 99]); // "abc"
    expect(decode(hex('836b0000'))).toEqual([]); // STRING_EXT of 0: erl accepts
    expect(decode(hex('836c0000000361016102620000012c6a'))).toEqual([1, 2, 300]); // [1,2,300]
  });

  it('improper lists', () => {
    const t = decode(hex('836c0000000161016102')); // [1|2]
    expect(t).toBeInstanceOf(ImproperList);
    expect(equals(t, new ImproperList([1], 2))).toBe(true);
    const t2 = decode(hex('836c000000027701617701626d0000000163')); // [a, b | <<"c">>]
    expect(equals(t2, new ImproperList([atom('a'), atom('b')], Buffer.from('c')))).toBe(true);
  });

  it('a list tail that is itself a list is spliced on, however it is written', () => {
    // erl accepts each and decodes it to the proper list shown (BEAM itself never writes these).
    expect(decode(hex('836c0000000161016b00026162'))).toEqual([1, 97, 98]); // [1 | "ab"]
    expect(decode(hex('836c00000001 6101 6c00000001 6102 6a'))).toEqual([1, 2]); // [1 | [2]]
    expect(decode(hex('836c00000001 6101 6c00000001 6102 6103'))).toEqual(new ImproperList([1, 2], 3)); // [1 | [2 | 3]]
    expect(decode(hex('836c00000000 6a'))).toEqual([]); // [ | []] is []
    expect(decode(hex('836c00000000 6101'))).toBe(1); // LIST_EXT of no elements is its tail: erl gives 1
    expect(decode(hex('836c000000016101 6c00000000 6b000162'))).toEqual([1, 98]); // [1 | [ | "b"]]
  });

  it('maps keep their wire order and say so', () => {
    // #{a => 1, <<"k">> => [x], {t} => 2.5}
    const m = decode(hex('837400000003770161610168017701744640040000000000006d000000016b6c000000017701786a')) as ErlMap;
    expect(m).toBeInstanceOf(ErlMap);
    expect(m.wireOrder).toBe(true);
    expect(m.get(atom('a'))).toBe(1);
    expect(m.get(tuple(atom('t')))).toEqual(new ErlFloat(2.5));
    expect(m.get(Buffer.from('k'))).toEqual([atom('x')]);
    // #{1.0=>a,1=>b,2=>c,0.5=>d}: keys 1, 2, 0.5, 1.0 on the wire
    const ord = decode(hex('83740000000461017701626102770163463fe0000000000000770164463ff0000000000000770161')) as ErlMap;
    expect(ord.keys()).toEqual([1, 2, new ErlFloat(0.5), new ErlFloat(1)]);
    const empty = decode(hex('837400000000')) as ErlMap;
    expect([empty.size, empty.wireOrder]).toEqual([0, true]);
  });

  it('a map with a key twice is duplicate_map_key at the map, as erl rejects it', () => {
    const e = decodeError(hex('83 6801 74000000026101610261016103'));
    expect([e.code, e.offset]).toEqual(['duplicate_map_key', 3]);
    // 1 written once as SMALL_INTEGER_EXT and once as SMALL_BIG_EXT is still the same key
    expect(decodeError(hex('837400000002610161016e0100016102')).code).toBe('duplicate_map_key');
  });
});

describe('binaries and bitstrings', () => {
  it('BINARY_EXT is a view of the input; copyBinaries copies', () => {
    const input = hex('836d00000003010203'); // <<1,2,3>>
    const b = decode(input) as Buffer;
    expect(Buffer.isBuffer(b)).toBe(true);
    expect([...b]).toEqual([1, 2, 3]);
    expect(b.buffer).toBe(input.buffer);
    expect(b.byteOffset).toBe(input.byteOffset + 6);
    const copy = new Decoder({ copyBinaries: true }).decode(input) as Buffer;
    expect([...copy]).toEqual([1, 2, 3]);
    input[6] = 9;
    expect([b[0], copy[0]]).toEqual([9, 1]);
    expect(decode(hex('836d00000000'))).toEqual(Buffer.alloc(0)); // <<>>
  });

  it("copyBinaries 'small' copies a binary that is a small part of a large input, and keeps a view otherwise", () => {
    const d = new Decoder({ copyBinaries: 'small' });
    const small = hex('836d00000003010203');
    const inLarge = Buffer.concat([small, Buffer.alloc(Buffer.poolSize)]);
    const copied = d.decodeAt(inLarge, 1).term as Buffer;
    inLarge.fill(9, 0, 9);
    expect([...copied]).toEqual([1, 2, 3]);
    // In a buffer no larger than a pool slab, a copy would pin as much: a view.
    const inSmall = Buffer.from(new Uint8Array(Buffer.concat([small, Buffer.alloc(100)])).buffer);
    expect((d.decode(inSmall.subarray(0, 9)) as Buffer).buffer).toBe(inSmall.buffer);
    const large = Buffer.concat([hex('836d00001000'), Buffer.alloc(4096, 5)]);
    const view = d.decode(large) as Buffer;
    expect(view.buffer).toBe(large.buffer);
    expect(view.length).toBe(4096);
  });

  it('a 1 MiB binary decodes without copying', () => {
    const input = Buffer.concat([hex('836d00100000'), Buffer.alloc(1 << 20, 0x78)]);
    const b = decode(input) as Buffer;
    expect(b.length).toBe(1 << 20);
    expect(b.buffer).toBe(input.buffer);
  });

  it('BIT_BINARY_EXT', () => {
    const t = decode(hex('834d00000002030140')); // <<1,2:3>>
    expect(t).toBeInstanceOf(BitBinary);
    expect([...(t as BitBinary).buffer, (t as BitBinary).bits, (t as BitBinary).bitLength]).toEqual([1, 0x40, 3, 11]);
    expect(decode(hex('834d0000000105f8'))).toEqual(new BitBinary(hex('f8'), 5)); // <<255:5>>
  });

  it('BIT_BINARY_EXT with all 8 bits, or no bytes, is a binary', () => {
    const whole = decode(hex('834d0000000108ff')); // erl accepts: <<255>>
    expect(Buffer.isBuffer(whole) && [...whole]).toEqual([255]);
    const empty = decode(hex('834d0000000000')); // erl (OTP 25) accepts: <<>>
    expect(Buffer.isBuffer(empty) && empty.length).toBe(0);
  });

  it('unused low bits are cleared (in a copy), as erl does', () => {
    const input = hex('834d0000000103ff'); // erl accepts as <<7:3>> and writes it back as 834d0000000103e0
    const t = decode(input) as BitBinary;
    expect([t.buffer[0], t.bits]).toEqual([0xe0, 3]);
    expect(input[7]).toBe(0xff);
    expect(encode(t).toString('hex')).toBe('834d0000000103e0');
  });

  it.each([
    ['0 bits in a byte', '834d0000000100ff'],
    ['9 bits', '834d0000000109ff'],
    ['no bytes but 3 bits', '834d0000000003'],
    ['no bytes but 8 bits', '834d0000000008'],
  ])('BIT_BINARY_EXT with %s is bad_value, as erl rejects it', (_name, bytes) => {
    const e = decodeError(hex(bytes));
    expect([e.code, e.offset]).toEqual(['bad_value', 1]);
  });
});

describe('pids, ports, references', () => {
  it('NEW_PID_EXT', () => {
    const p = decode(hex('8358770d6e6f6e6f6465406e6f686f7374000000090000000000000000')) as Pid; // c:pid(0,9,0)
    expect(p).toBeInstanceOf(Pid);
    expect([p.node, p.id, p.serial, p.creation]).toEqual([NONODE, 9, 0, 0]);
  });

  it('old PID_EXT keeps its 8-bit creation as read', () => {
    // erl accepts <<131,103,119,1,$n,0,0,0,5,0,0,0,1,3>> and writes it back as NEW_PID_EXT with creation 3
    const p = decode(hex('83677701 6e 00000005 00000001 03')) as Pid;
    expect([p.node, p.id, p.serial, p.creation]).toEqual([N, 5, 1, 3]);
    expect(encode(p).toString('hex')).toBe('835877016e000000050000000100000003');
  });

  it('NEW_PORT_EXT, PORT_EXT and V4_PORT_EXT', () => {
    const p = decode(hex('8359770d6e6f6e6f6465406e6f686f73740000000000000000')) as Port; // hd(erlang:ports())
    expect([p.node, p.id, p.creation, p.v4]).toEqual([NONODE, 0, 0, false]);
    // erl accepts PORT_EXT <<131,102,119,1,$n,0,0,0,5,3>> and writes NEW_PORT_EXT creation 3
    const old = decode(hex('836677016e0000000503')) as Port;
    expect([old.id, old.creation, old.v4]).toEqual([5, 3, false]);
    expect(encode(old).toString('hex')).toBe('835977016e0000000500000003');
    // OTP 27's hd(erlang:ports()): V4_PORT_EXT
    const v4 = decode(hex('8378770d6e6f6e6f6465406e6f686f7374000000000000000000000000')) as Port;
    expect([v4.id, v4.v4]).toEqual([0, true]);
    // erl accepts a V4_PORT_EXT with id 2^32 and writes back the same bytes
    const wide = decode(hex('837877016e000000010000000000000001')) as Port;
    expect([wide.id, wide.creation]).toEqual([2 ** 32, 1]);
    const widest = decode(hex('837877016effffffffffffffff00000001')) as Port;
    expect(widest.id).toBe(2n ** 64n - 1n);
  });

  it('NEWER_REFERENCE_EXT (make_ref())', () => {
    const r = decode(hex('835a0003770d6e6f6e6f6465406e6f686f73740000000000013123c52400020f8f508a')) as Reference;
    expect(r).toBeInstanceOf(Reference);
    expect([r.node, r.creation, r.ids]).toEqual([NONODE, 0, [0x13123, 0xc5240002, 0x0f8f508a]]);
  });

  it('REFERENCE_EXT and NEW_REFERENCE_EXT keep their 8-bit creation', () => {
    // erl accepts <<131,101,119,1,$n,0,0,0,7,2>> and writes 835a000177016e0000000200000007
    const r1 = decode(hex('836577016e0000000702')) as Reference;
    expect([r1.creation, r1.ids]).toEqual([2, [7]]);
    expect(encode(r1).toString('hex')).toBe('835a000177016e0000000200000007');
    // erl accepts <<131,114,0,2,119,1,$n,2,0,0,0,7,0,0,0,8>> and writes 835a000277016e000000020000000700000008
    const r2 = decode(hex('8372000277016e020000000700000008')) as Reference;
    expect([r2.creation, r2.ids]).toEqual([2, [7, 8]]);
    expect(encode(r2).toString('hex')).toBe('835a000277016e000000020000000700000008');
  });

  it('references of 0 to 5 words decode (OTP 25 accepts them); 6 words are bad_value', () => {
    const words = (n: number): string => '835a' + n.toString(16).padStart(4, '0') + '77016e00000001' + '0000000a'.repeat(n);
    for (const n of [0, 1, 5]) expect((decode(hex(words(n))) as Reference).ids).toEqual(new Array(n).fill(10));
    const e = decodeError(hex(words(6)));
    expect([e.code, e.offset]).toEqual(['bad_value', 2]);
  });

  it("a pid's node must be an atom", () => {
    const e = decodeError(hex('83586101000000010000000000000001')); // erl rejects
    expect([e.code, e.offset]).toEqual(['bad_tag', 2]);
  });
});

describe('funs', () => {
  // In a module m: f1(X) -> fun(Y) -> {X, Y} end. The bytes of m:f1(42).
  const FUN1 =
    '837000000045015e42e117a8f09da701af8ea5dedc19af000000010000000177016d61016202f2170858770d6e6f6e6f6465406e6f686f7374000000090000000000000000612a';

  it('NEW_FUN_EXT keeps every field and round-trips', () => {
    const f = decode(hex(FUN1)) as Fun;
    expect(f).toBeInstanceOf(Fun);
    expect([f.module, f.arity, f.uniq.toString('hex'), f.index, f.oldIndex, f.oldUniq, f.free, f.legacy]).toEqual([
      atom('m'),
      1,
      '5e42e117a8f09da701af8ea5dedc19af',
      1,
      1,
      0x02f21708,
      [42],
      false,
    ]);
    expect((f.pid as Pid).id).toBe(9);
    expect(encode(f).toString('hex')).toBe(FUN1);
  });

  it('NEW_FUN_EXT without free variables', () => {
    const bytes =
      '837000000043005e42e117a8f09da701af8ea5dedc19af000000000000000077016d61006202f2170858770d6e6f6e6f6465406e6f686f7374000000090000000000000000'; // m:f0()
    const f = decode(hex(bytes)) as Fun;
    expect([f.arity, f.index, f.free]).toEqual([0, 0, []]);
    expect(encode(f).toString('hex')).toBe(bytes);
  });

  it('EXPORT_EXT', () => {
    const f = decode(hex('8371770665726c616e6777036162736101')) as ExportFun; // fun erlang:abs/1
    expect(f).toBeInstanceOf(ExportFun);
    expect([f.module, f.function, f.arity]).toEqual([atom('erlang'), atom('abs'), 1]);
    expect((decode(hex('837177016d77016662000001 00')) as ExportFun).arity).toBe(256); // erl accepts INTEGER_EXT arity
    expect(decodeError(hex('837177016d7701667701 78')).code).toBe('bad_tag'); // arity an atom: erl rejects
  });

  it('old FUN_EXT (before R8) decodes as a legacy fun and encodes back as FUN_EXT', () => {
    // Hand-made: FUN_EXT, 0 free, pid <a@b.1.0>, module m, index 1, uniq 1. OTP 23 and later refuse
    // FUN_EXT, but the term model keeps such funs (Fun.legacy).
    const f = decode(hex('837500000000 67 6400036140620000000100000000 00 6400016d 6101 6101')) as Fun;
    expect([f.legacy, f.module, f.index, f.oldUniq, f.free, (f.pid as Pid).node]).toEqual([true, atom('m'), 1, 1, [], atom('a@b')]);
    expect(equals(decode(encode(f)), f)).toBe(true);
    expect(encode(f)[1]).toBe(117);
  });
});

describe('compressed terms', () => {
  it('decodes what term_to_binary(T, [compressed]) writes', () => {
    // term_to_binary(lists:duplicate(100, hello), [compressed])
    const t = decode(hex('835000000326789ccb61606048496160cd48cdc9c91fa547e9511a93ce02003410fa0f'));
    expect(t).toEqual(new Array(100).fill(atom('hello')));
  });

  it('errors inside a compressed term give the offset of the uncompressed encoding', () => {
    const plain = hex('8368027701610a'); // {a, <tag 10>}: no such tag
    const packed = Buffer.concat([hex('8350'), Buffer.alloc(4), zlib.deflateSync(plain.subarray(1))]);
    packed.writeUInt32BE(plain.length - 1, 2);
    const e = decodeError(packed);
    expect([e.code, e.offset]).toEqual([decodeError(plain).code, decodeError(plain).offset]);
    expect(e.offset).toBe(6);
  });

  it('compressed data that is not zlib, or inflates to another size than declared, is bad_compressed', () => {
    expect(decodeError(hex('835000000064 0102030405060708')).code).toBe('bad_compressed');
    const body = zlib.deflateSync(hex('6a'));
    const declare = (n: number): Buffer => {
      const b = Buffer.concat([hex('835000000000'), body]);
      b.writeUInt32BE(n, 2);
      return b;
    };
    expect(decode(declare(1))).toEqual([]);
    expect(decodeError(declare(2)).code).toBe('bad_compressed');
    expect(decodeError(declare(0)).code).toBe('bad_compressed');
  });

  it('tag 80 is only allowed right after the version byte', () => {
    const e = decodeError(hex('83680150000000016a'));
    expect([e.code, e.offset]).toEqual(['bad_tag', 3]);
  });
});

describe('bad input', () => {
  it('LOCAL_EXT is local_ext', () => {
    const e = decodeError(hex('8379c02ee6647703616263')); // term_to_binary(abc, [local]) on OTP 27
    expect([e.code, e.offset]).toEqual(['local_ext', 1]);
  });

  it('version byte, empty input, unknown tags', () => {
    expect([decodeError(hex('826101')).code, decodeError(hex('826101')).offset]).toEqual(['bad_version', 0]);
    expect([decodeError(hex('')).code, decodeError(hex('')).offset]).toEqual(['truncated', 0]);
    expect([decodeError(hex('83')).code, decodeError(hex('83')).offset]).toEqual(['truncated', 1]);
    expect([decodeError(hex('8300')).code, decodeError(hex('8300')).offset]).toEqual(['bad_tag', 1]);
    expect([decodeError(hex('836801c8')).code, decodeError(hex('836801c8')).offset]).toEqual(['bad_tag', 3]);
  });

  it('trailing bytes are an error (binary_to_term/1 would ignore them)', () => {
    const e = decodeError(hex('836101ff00'));
    expect([e.code, e.offset]).toEqual(['trailing_bytes', 3]);
  });

  it.each([
    ['LIST_EXT of 2^32-1 elements', '836cffffffff6101', 6],
    ['LARGE_TUPLE_EXT of 2^32-1', '8369ffffffff6101', 6],
    ['MAP_EXT of 2^32-1 pairs', '8374ffffffff61016101', 6],
    ['BINARY_EXT of 2^32-1 bytes', '836dffffffff010203', 6],
    ['LARGE_BIG_EXT of 2^32-1 digits', '836fffffffff00010203', 7],
    ['STRING_EXT of 65535 bytes', '836bffff0102', 4],
    ['ATOM_UTF8_EXT of 65535 bytes', '8376ffff6162', 4],
    ['BIT_BINARY_EXT of 2^32-1 bytes', '834dffffffff0301', 7],
    ['a LIST_EXT tail of 2^32-1 more elements', '836c000000016101 6cffffffff 6101', 13],
  ])('%s with a few bytes is truncated, at once', (_name, bytes, offset) => {
    const started = process.hrtime.bigint();
    const e = decodeError(hex(bytes));
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    expect([e.code, e.offset]).toEqual(['truncated', offset]);
  });

  it('nested containers may not together claim more values than the input has bytes', () => {
    // 1000 LIST_EXTs each claiming a million elements, then a million NILs: each claim alone
    // fits the bytes left, all together they would allocate 8 GB of arrays. Refused at the second
    // claim (offset 11), before any array is filled; a timing assertion would only add noise.
    const claim = Buffer.from([108, 0, 0x0f, 0x42, 0x40]);
    const bytes = Buffer.concat([hex('83'), ...new Array<Buffer>(1000).fill(claim), Buffer.alloc(1_000_000, 0x6a)]);
    const e = decodeError(bytes);
    expect([e.code, e.offset]).toEqual(['truncated', 11]);
    // The same for tuples, maps and a LIST_EXT tail that adds elements.
    expect([decodeError(hex('83 6803 6803 6a 6a 6a 6a')).code, decodeError(hex('83 6803 6803 6a 6a 6a 6a')).offset]).toEqual([
      'truncated',
      5,
    ]);
    expect(decodeError(hex('83 7400000002 7400000001 6a 6a 6a')).offset).toBe(11);
    expect(decodeError(hex('83 6802 6c00000001 6a 6c00000002 6a')).offset).toBe(14);
  });

  it('every cut of a valid term is truncated, at an offset within the cut', () => {
    const samples = [
      encode(tuple(atom('ok'), [1, 2, 300], new ErlMap([[atom('a'), Buffer.from('xy')]]), new ErlFloat(0.5), 2n ** 70n)),
      hex(
        '837000000045015e42e117a8f09da701af8ea5dedc19af000000010000000177016d61016202f2170858770d6e6f6e6f6465406e6f686f7374000000090000000000000000612a',
      ),
      hex('835a0003770d6e6f6e6f6465406e6f686f73740000000000013123c52400020f8f508a'),
    ];
    for (const s of samples) {
      for (let cut = 0; cut < s.length; cut++) {
        const e = decodeError(s.subarray(0, cut));
        expect([cut, e.code, e.offset <= cut]).toEqual([cut, 'truncated', true]);
      }
    }
  });

  it('random bytes give terms or DecodeErrors, and the decoder stays usable', () => {
    const d = new Decoder();
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const tags = [97, 98, 70, 77, 88, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 116, 118, 119, 90, 89, 120];
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from([
        131,
        ...Array.from({ length: 1 + (next() % 24) }, (_, k) => (k % 3 === 0 ? tags[next() % tags.length] : next())),
      ]);
      try {
        d.decode(bytes);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw new Error(`${bytes.toString('hex')} threw ${String(e)}`, { cause: e });
      }
    }
    expect(d.decode(hex('836c0000000268016101 6a 6a'))).toEqual([tuple(1), []]);
  });
});

describe('decodeAt', () => {
  it('decodes a term without a version byte at an offset and says where it ends', () => {
    // Two terms after a 3-byte header, as in a distribution message: {6, a} then [1]
    const buf = hex('444444 68026106770161 6c0000000161016a');
    const d = new Decoder();
    const first = d.decodeAt(buf, 3);
    expect(equals(first.term, tuple(6, atom('a')))).toBe(true);
    expect(first.end).toBe(10);
    const second = d.decodeAt(buf, first.end);
    expect(second).toEqual({ term: [1], end: buf.length });
  });

  it('offsets of errors are offsets in the buffer', () => {
    const e = (() => {
      try {
        new Decoder().decodeAt(hex('0000 6802 6101 61'), 2);
      } catch (err) {
        return err as DecodeError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(DecodeError);
    expect([e.code, e.offset]).toEqual(['truncated', 7]);
  });
});

describe('deep nesting, without recursion', () => {
  const DEPTH = 100_000;

  it(`a list nested ${DEPTH} deep decodes, and encodes back to the same bytes`, () => {
    const bytes = Buffer.concat([hex('83'), Buffer.from('6c00000001'.repeat(DEPTH), 'hex'), Buffer.alloc(DEPTH + 1, 0x6a)]);
    const t = decode(bytes);
    let level: Term = t;
    let depth = 0;
    while (Array.isArray(level) && level.length === 1) {
      level = level[0];
      depth++;
    }
    expect([depth, level]).toEqual([DEPTH, []]);
    expect(encode(t).equals(bytes)).toBe(true);
  });

  it(`a tuple nested ${DEPTH} deep decodes, and encodes back to the same bytes`, () => {
    const bytes = Buffer.concat([hex('83'), Buffer.from('6801'.repeat(DEPTH), 'hex'), hex('6a')]);
    const t = decode(bytes);
    let level: Term = t;
    let depth = 0;
    while (level instanceof Tuple) {
      level = level.elements[0];
      depth++;
    }
    expect([depth, level]).toEqual([DEPTH, []]);
    expect(encode(t).equals(bytes)).toBe(true);
  });

  it('a long chain of LIST_EXT tails is one flat list, decoded in linear time', () => {
    // [0 | [1 | [2 | ... [99999]]]] written as nested LIST_EXT tails
    const parts: Buffer[] = [hex('83')];
    for (let i = 0; i < DEPTH; i++) parts.push(hex('6c0000000161' + (i & 0xff).toString(16).padStart(2, '0')));
    parts.push(hex('6a'));
    const t = decode(Buffer.concat(parts)) as number[];
    expect(t.length).toBe(DEPTH);
    expect(t[DEPTH - 1]).toBe((DEPTH - 1) & 0xff);
  });
});

describe('the decoder is reusable', () => {
  it('after an error deep inside a term, the next decode is right', () => {
    const d = new Decoder();
    expect(() => d.decode(hex('836c00000002 6801 68016c000000016201 6a'))).toThrow(DecodeError);
    expect(equals(d.decode(hex('8368026101 6c000000016102 6a')), tuple(1, [2]))).toBe(true);
  });

  it('an input that is a plain Uint8Array is read too', () => {
    expect(decode(new Uint8Array([131, 97, 7]) as Buffer)).toBe(7);
  });
});
