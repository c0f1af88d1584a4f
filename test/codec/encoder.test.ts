/**
 * Encoder unit tests: the bytes must be what OTP 25's term_to_binary(T, [{minor_version, 2}])
 * writes. Each expected hex string was captured from the host's erl (OTP 25) for the Erlang
 * expression in the comment beside it:
 * `erl -noshell -eval 'io:format("~s~n", [binary:encode_hex(term_to_binary(T, [{minor_version,2}]))]), halt().'`.
 * Long ones are built here from their structure, which erl confirmed byte for byte (`=:=` against
 * the same construction in Erlang).
 */
import * as zlib from 'node:zlib';
import { Encoder, encode, OWN_CHUNK_BYTES } from '../../codec/encoder';
import { decode, Decoder } from '../../codec/decoder';
import { EncodeError } from '../../codec/errors';
import { BEAM_MAX_BIG_BYTES } from '../../codec/limits';
import { equals } from '../../codec/compare';
import { ErlMap } from '../../codec/erlmap';
import { Atom, atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple, tuple } from '../../codec/terms';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const enc = (t: Term): string => encode(t).toString('hex');

function encodeError(t: Term, encoder: Encoder = new Encoder()): EncodeError {
  try {
    encoder.encode(t);
  } catch (e) {
    if (e instanceof EncodeError) return e;
    throw new Error(`expected an EncodeError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an EncodeError, but it encoded');
}

const NONODE = atom('nonode@nohost');

describe('integers: the tag BEAM picks', () => {
  it.each<[string, number | bigint, string]>([
    ['0', 0, '836100'],
    ['255', 255, '8361ff'],
    ['256', 256, '836200000100'],
    ['-1', -1, '8362ffffffff'],
    ['-300', -300, '8362fffffed4'],
    ['2^31-1', 2147483647, '83627fffffff'],
    ['2^31', 2147483648, '836e040000000080'],
    ['-2^31', -2147483648, '836280000000'],
    ['-2^31-1', -2147483649, '836e040101000080'],
    ['2^53-1', Number.MAX_SAFE_INTEGER, '836e0700ffffffffffff1f'],
    ['2^53 (number)', 2 ** 53, '836e070000000000000020'],
    ['2^53 (bigint)', 2n ** 53n, '836e070000000000000020'],
    ['-2^53', -(2n ** 53n), '836e070100000000000020'],
    ['2^53+1', 2n ** 53n + 1n, '836e070001000000000020'],
    ['2^64', 2n ** 64n, '836e0900000000000000000001'],
    ['-2^64', -(2n ** 64n), '836e0901000000000000000001'],
    ['a small bigint is an integer like any other', 5n, '836105'],
    ['-2^31 as bigint', -(2n ** 31n), '836280000000'],
  ])('%s', (_name, value, expected) => {
    expect(enc(value)).toBe(expected);
  });

  it('255 digit bytes are SMALL_BIG_EXT, 256 are LARGE_BIG_EXT', () => {
    // (1 bsl 2040) - 1, 1 bsl 2040 and -(1 bsl 2040)
    expect(encode(2n ** 2040n - 1n).equals(Buffer.concat([hex('836eff00'), Buffer.alloc(255, 0xff)]))).toBe(true);
    expect(encode(2n ** 2040n).equals(Buffer.concat([hex('836f0000010000'), Buffer.alloc(255), hex('01')]))).toBe(true);
    expect(encode(-(2n ** 2040n)).equals(Buffer.concat([hex('836f0000010001'), Buffer.alloc(255), hex('01')]))).toBe(true);
  });

  it('an integral JS number is an integer whatever its size; its exact value is written', () => {
    // 1.0e300 is a float in Erlang, but the JS number 1e300 is integral: the integer
    // BigInt(1e300), 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160
    expect(enc(1e300)).toBe('836e7d00' + '00'.repeat(118) + '9c7500883ce417');
    expect(enc(-0)).toBe('836100');
  });

  it('an integer BEAM could not hold is integer_too_large', () => {
    expect(encodeError(1n << BigInt(8 * BEAM_MAX_BIG_BYTES)).code).toBe('integer_too_large');
    expect(encode((1n << BigInt(8 * BEAM_MAX_BIG_BYTES)) - 1n).length).toBe(1 + 5 + 1 + BEAM_MAX_BIG_BYTES);
  });
});

describe('floats', () => {
  it('ErlFloat and non-integral numbers are NEW_FLOAT_EXT; -0.0 keeps its sign', () => {
    expect(enc(new ErlFloat(1))).toBe('83463ff0000000000000'); // 1.0
    expect(enc(1.5)).toBe('83463ff8000000000000'); // 1.5
    expect(enc(new ErlFloat(-0))).toBe('83468000000000000000'); // -0.0
    expect(enc(new ErlFloat(Number.MAX_VALUE))).toBe('83467fefffffffffffff'); // 1.7976931348623157e308
    // {1.0, -1.0, 0.0, 3.141592653589793}
    expect(enc(tuple(new ErlFloat(1), new ErlFloat(-1), new ErlFloat(0), Math.PI))).toBe(
      '836804463ff000000000000046bff000000000000046000000000000000046400921fb54442d18',
    );
  });

  it.each([NaN, Infinity, -Infinity])('%s is bad_float, as a number or an ErlFloat', (f) => {
    expect(encodeError(f).code).toBe('bad_float');
    expect(encodeError([1, new ErlFloat(f)]).code).toBe('bad_float');
  });
});

describe('atoms', () => {
  it('SMALL_ATOM_UTF8_EXT, booleans as atoms', () => {
    expect(enc(atom('abc'))).toBe('837703616263'); // abc
    expect(enc(true)).toBe('83770474727565'); // true
    expect(enc(false)).toBe('83770566616c7365'); // false
    expect(enc(atom('true'))).toBe('83770474727565');
  });

  it('unicode atoms: UTF-8, SMALL_ATOM_UTF8_EXT up to 255 bytes, ATOM_UTF8_EXT beyond', () => {
    expect(enc(atom('\u{1f600}x\u00e9'))).toBe('837707f09f988078c3a9'); // list_to_atom([16#1f600, $x, 16#e9])
    const emojis = (n: number): Buffer => Buffer.from('\u{1f600}'.repeat(n), 'utf8');
    // list_to_atom(lists:duplicate(63, 16#1f600)): 252 bytes
    expect(encode(atom('\u{1f600}'.repeat(63))).equals(Buffer.concat([hex('8377fc'), emojis(63)]))).toBe(true);
    // list_to_atom(lists:duplicate(64, 16#1f600)): 256 bytes
    expect(encode(atom('\u{1f600}'.repeat(64))).equals(Buffer.concat([hex('83760100'), emojis(64)]))).toBe(true);
    // list_to_atom(lists:duplicate(255, 16#1f600)): 255 characters, 1020 bytes
    expect(encode(atom('\u{1f600}'.repeat(255))).equals(Buffer.concat([hex('837603fc'), emojis(255)]))).toBe(true);
    // list_to_atom(lists:duplicate(128, 16#e9))
    expect(encode(atom('\u00e9'.repeat(128))).equals(Buffer.concat([hex('83760100'), Buffer.from('\u00e9'.repeat(128))]))).toBe(true);
  });

  it('255 ASCII characters are one SMALL_ATOM_UTF8_EXT; 256 characters are atom_too_long', () => {
    // list_to_atom(lists:duplicate(255, $a))
    expect(encode(atom('a'.repeat(255))).equals(Buffer.concat([hex('8377ff'), Buffer.alloc(255, 0x61)]))).toBe(true);
    expect(encodeError(atom('a'.repeat(256))).code).toBe('atom_too_long');
    expect(encodeError(atom('\u{1f600}'.repeat(256))).code).toBe('atom_too_long');
  });
});

describe('lists', () => {
  it('NIL, STRING_EXT for byte lists, LIST_EXT otherwise', () => {
    expect(enc([])).toBe('836a'); // []
    expect(enc([97, 98, 99])).toBe('836b0003616263'); // "abc"
    expect(enc([1, 2, 300])).toBe('836c0000000361016102620000012c6a'); // [1,2,300]
    expect(enc([256, 1, 2])).toBe('836c000000036200000100610161026a'); // [256, 1, 2]
    expect(enc([atom('a')])).toBe('836c000000017701616a'); // [a|[]]
  });

  it('65535 bytes are STRING_EXT; 65536 are LIST_EXT of SMALL_INTEGER_EXT', () => {
    // lists:duplicate(65535, 7) and lists:duplicate(65536, 7)
    expect(encode(new Array(65535).fill(7)).equals(Buffer.concat([hex('836bffff'), Buffer.alloc(65535, 7)]))).toBe(true);
    const long = Buffer.concat([hex('836c00010000'), Buffer.from('6107'.repeat(65536), 'hex'), hex('6a')]);
    expect(encode(new Array(65536).fill(7)).equals(long)).toBe(true);
  });

  it('improper lists; tails that are lists are flattened as Erlang has them', () => {
    expect(enc(new ImproperList([1, 2], 300))).toBe('836c0000000261016102620000012c'); // [1,2|300]
    expect(enc(new ImproperList([1], 2))).toBe('836c0000000161016102'); // [1|2]
    expect(enc(new ImproperList([atom('a'), atom('b')], Buffer.from('c')))).toBe('836c000000027701617701626d0000000163'); // [a, b | <<"c">>]
    expect(enc(new ImproperList([97], [98]))).toBe('836b00026162'); // [97 | [98]] is "ab"
    expect(enc(new ImproperList([1], new ImproperList([2], 3)))).toBe('836c000000026101610261 03'.replace(' ', '')); // [1 | [2 | 3]] is [1,2|3]
    expect(enc(new ImproperList([], 5))).toBe('836105'); // [ | 5] is 5
  });
});

describe('tuples, binaries, bitstrings', () => {
  it('SMALL_TUPLE_EXT up to 255 elements, LARGE_TUPLE_EXT beyond', () => {
    expect(enc(tuple())).toBe('836800'); // {}
    expect(enc(tuple(atom('a'), 1, Buffer.from('b')))).toBe('83680377016161016d0000000162'); // {a, 1, <<"b">>}
    const t255 = new Tuple(new Array<number>(255).fill(0));
    expect(encode(t255).subarray(0, 3).toString('hex')).toBe('8368ff');
    // erlang:make_tuple(256, 0)
    expect(
      encode(new Tuple(new Array<number>(256).fill(0))).equals(
        Buffer.concat([hex('836900000100'), Buffer.from('6100'.repeat(256), 'hex')]),
      ),
    ).toBe(true);
  });

  it('binaries; a JS string is the binary of its UTF-8', () => {
    expect(enc(Buffer.from([1, 2, 3]))).toBe('836d00000003010203'); // <<1,2,3>>
    expect(enc(Buffer.alloc(0))).toBe('836d00000000'); // <<>>
    expect(enc('\u00e9')).toBe('836d00000002c3a9'); // <<"é"/utf8>>
    expect(enc('abc')).toBe('836d00000003616263'); // <<"abc">>
    const long = 'x\u{1f600}'.repeat(1000);
    expect(encode(long).equals(Buffer.concat([hex('836d00001388'), Buffer.from(long, 'utf8')]))).toBe(true);
    const big = Buffer.alloc(1 << 20, 0x78);
    expect(encode(big).equals(Buffer.concat([hex('836d00100000'), big]))).toBe(true);
  });

  it('BIT_BINARY_EXT with the unused low bits zeroed, as BEAM writes them', () => {
    expect(enc(new BitBinary(hex('0140'), 3))).toBe('834d00000002030140'); // <<1,2:3>>
    expect(enc(new BitBinary(hex('ff'), 5))).toBe('834d0000000105f8'); // <<255:5>> (from bits 11111111)
    expect(enc(new BitBinary(hex('ff'), 8))).toBe('836d00000001ff'); // all 8 bits: a binary
    expect(enc(new BitBinary(Buffer.alloc(0), 0))).toBe('836d00000000'); // no bits: <<>>
    expect(encodeError(new BitBinary(hex('ff'), 0)).code).toBe('bad_value');
    expect(encodeError(new BitBinary(hex('ff'), 9)).code).toBe('bad_value');
  });
});

describe('maps', () => {
  it('small maps in map key order: integers before floats, then term order', () => {
    // #{1.0=>a,1=>b,2=>c,0.5=>d}
    const m = new ErlMap([
      [new ErlFloat(1), atom('a')],
      [1, atom('b')],
      [2, atom('c')],
      [new ErlFloat(0.5), atom('d')],
    ]);
    expect(enc(m)).toBe('83740000000461017701626102770163463fe0000000000000770164463ff0000000000000770161');
    // #{b=>1, a=>2, 1=>x, <<"s">>=>y, {t}=>q, [] => n, "l" => z, 2.5 => f, -1 => m}
    const mixed = new ErlMap([
      [atom('b'), 1],
      [atom('a'), 2],
      [1, atom('x')],
      [Buffer.from('s'), atom('y')],
      [tuple(atom('t')), atom('q')],
      [[], atom('n')],
      [[108], atom('z')],
      [new ErlFloat(2.5), atom('f')],
      [-1, atom('m')],
    ]);
    expect(enc(mixed)).toBe(
      '83740000000962ffffffff77016d61017701784640040000000000007701667701616102770162610168017701747701716a77016e6b00016c77017a6d0000000173770179',
    );
    expect(enc(new ErlMap())).toBe('837400000000'); // #{}
  });

  it('a decoded map keeps its wire order, so decode then encode gives the same bytes', () => {
    const unsorted = hex('8374000000026102610161016102'); // #{2=>1, 1=>2} written unsorted (erl accepts)
    const m = decode(unsorted) as ErlMap;
    expect(m.wireOrder).toBe(true);
    expect(encode(m).equals(unsorted)).toBe(true);
    m.set(3, 3);
    expect(m.wireOrder).toBe(false);
    expect(enc(m)).toBe('8374000000036101610261026101 61036103'.replace(' ', ''));
  });

  it('maps of more than 32 keys keep insertion order (BEAM writes its hash order: any order is the same term)', () => {
    const m = new ErlMap(Array.from({ length: 33 }, (_, i) => [33 - i, i] as [Term, Term]));
    const bytes = encode(m);
    expect(bytes.subarray(0, 10).toString('hex')).toBe('837400000021612161 00'.replace(' ', ''));
    expect(equals(decode(bytes), m)).toBe(true);
  });

  it('the entries of the ErlMap are not reordered by encoding', () => {
    const m = new ErlMap([
      [atom('b'), 1],
      [atom('a'), 2],
    ]);
    encode(m);
    expect(m.keys()).toEqual([atom('b'), atom('a')]);
  });
});

describe('pids, ports, references, funs', () => {
  it('NEW_PID_EXT', () => {
    // c:pid(0,9,0)
    expect(enc(new Pid(NONODE, 9, 0, 0))).toBe('8358770d6e6f6e6f6465406e6f686f7374000000090000000000000000');
    expect(encodeError(new Pid(NONODE, 2 ** 32, 0, 0)).code).toBe('bad_value');
    expect(encodeError(new Pid(NONODE, 1, -1, 0)).code).toBe('bad_value');
  });

  it('NEW_PORT_EXT below 2^28, V4_PORT_EXT from 2^28 or when it came as V4', () => {
    // hd(erlang:ports())
    expect(enc(new Port(NONODE, 0, 0))).toBe('8359770d6e6f6e6f6465406e6f686f73740000000000000000');
    const n = atom('n');
    // erl reads V4_PORT_EXT of these ids and writes them back as shown
    expect(enc(new Port(n, 0x0fffffff, 1))).toBe('835977016e0fffffff00000001');
    expect(enc(new Port(n, 0x10000000, 1))).toBe('837877016e000000001000000000000001');
    expect(enc(new Port(n, 2n ** 64n - 1n, 1))).toBe('837877016effffffffffffffff00000001');
    expect(enc(new Port(n, 5, 1, true))).toBe('837877016e000000000000000500000001');
    expect(encodeError(new Port(n, 2n ** 64n, 1)).code).toBe('bad_value');
  });

  it('NEWER_REFERENCE_EXT of 0 to 5 words', () => {
    // make_ref()
    const ref = new Reference(NONODE, 0, [0x13123, 0xc5240002, 0x0f8f508a]);
    expect(enc(ref)).toBe('835a0003770d6e6f6e6f6465406e6f686f73740000000000013123c52400020f8f508a');
    expect(enc(new Reference(atom('n'), 1, []))).toBe('835a000077016e00000001'); // erl writes a 0-word reference so
    expect(encode(new Reference(atom('n'), 1, [1, 2, 3, 4, 5])).readUInt16BE(2)).toBe(5);
    expect(encodeError(new Reference(atom('n'), 1, [1, 2, 3, 4, 5, 6])).code).toBe('bad_value');
  });

  it('EXPORT_EXT', () => {
    expect(enc(new ExportFun(atom('erlang'), atom('abs'), 1))).toBe('8371770665726c616e6777036162736101'); // fun erlang:abs/1
    expect(enc(new ExportFun(atom('lists'), atom('map'), 2))).toBe('837177056c6973747377036d61706102'); // fun lists:map/2
  });

  it('NEW_FUN_EXT with the right Size, with and without free variables', () => {
    const pid = new Pid(NONODE, 9, 0, 0);
    const uniq = hex('5e42e117a8f09da701af8ea5dedc19af');
    // In a module m: f0() -> fun() -> ok end.  f1(X) -> fun(Y) -> {X, Y} end.  m:f0() and m:f1(42):
    expect(enc(new Fun(atom('m'), 0, uniq, 0, 0, 0x02f21708, pid, []))).toBe(
      '837000000043005e42e117a8f09da701af8ea5dedc19af000000000000000077016d61006202f2170858770d6e6f6e6f6465406e6f686f7374000000090000000000000000',
    );
    expect(enc(new Fun(atom('m'), 1, uniq, 1, 1, 0x02f21708, pid, [42]))).toBe(
      '837000000045015e42e117a8f09da701af8ea5dedc19af000000010000000177016d61016202f2170858770d6e6f6e6f6465406e6f686f7374000000090000000000000000612a',
    );
    // A fun inside a fun: each Size covers its own bytes only.
    const inner = new Fun(atom('m'), 1, uniq, 1, 1, 0x02f21708, pid, [42]);
    const outer = encode(new Fun(atom('m'), 0, uniq, 0, 0, 0x02f21708, pid, [inner, atom('x')]));
    expect(outer.readUInt32BE(2)).toBe(outer.length - 2);
    expect(equals(decode(outer), new Fun(atom('m'), 0, uniq, 0, 0, 0x02f21708, pid, [inner, atom('x')]))).toBe(true);
    expect(encodeError(new Fun(atom('m'), 0, hex('00'), 0, 0, 0, pid, [])).code).toBe('bad_value');
    expect(encodeError(new Fun(atom('m'), 0, uniq, 0, 0, 0, atom('nopid'), [])).code).toBe('bad_value');
  });
});

describe('not terms', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { a: 1 }],
    ['a symbol', Symbol('s')],
    ['a function', () => 1],
    ['a Date', new Date(0)],
  ])('%s is not_a_term, also deep inside', (_name, value) => {
    expect(encodeError(value as Term).code).toBe('not_a_term');
    expect(encodeError(tuple(1, [atom('a'), value as Term])).code).toBe('not_a_term');
  });

  it('a term that contains itself is depth_limit, not a hang', () => {
    const loop: Term[] = [1];
    loop.push(loop);
    expect(encodeError(loop, new Encoder({ maxDepth: 1000 })).code).toBe('depth_limit');
    expect(encodeError([[[300]]], new Encoder({ maxDepth: 2 })).code).toBe('depth_limit');
    expect(new Encoder({ maxDepth: 3 }).encode([[[300]]]).toString('hex')).toBe(
      '836c00000001 6c00000001 6c00000001 620000012c 6a 6a 6a'.replace(/ /g, ''),
    );
  });

  it('the encoder works normally after an error', () => {
    const e = new Encoder();
    expect(() => e.encode(tuple(1, [2, [3, undefined as unknown as Term]]))).toThrow(EncodeError);
    expect(e.encode(tuple(1, [2, [300]])).toString('hex')).toBe('836802610 16c00000002 6102 6c00000001620000012c6a 6a'.replace(/ /g, ''));
  });
});

describe('compression', () => {
  const hellos = new Array(100).fill(atom('hello'));

  it('compresses like term_to_binary(T, [compressed]): header, declared size, zlib data', () => {
    const plain = encode(hellos);
    const packed = encode(hellos, { compressed: true });
    expect(packed.subarray(0, 2).toString('hex')).toBe('8350');
    expect(packed.readUInt32BE(2)).toBe(plain.length - 1);
    expect(zlib.inflateSync(packed.subarray(6)).equals(plain.subarray(1))).toBe(true);
    expect(packed.subarray(6, 8).toString('hex')).toBe('789c'); // level 6, as BEAM's default
    expect(new Encoder({ compressed: 9 }).encode(hellos).subarray(6, 8).toString('hex')).toBe('78da');
    expect(new Encoder({ compressed: 1 }).encode(hellos).subarray(6, 8).toString('hex')).toBe('7801');
    expect(equals(decode(packed), hellos)).toBe(true);
  });

  it('keeps the uncompressed form when compressing does not make it smaller (term_to_binary(abc, [compressed]))', () => {
    expect(encode(atom('abc'), { compressed: true }).toString('hex')).toBe('837703616263');
    let seed = 7;
    const random = Buffer.from(Array.from({ length: 300 }, () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24));
    expect(encode(random, { compressed: true }).equals(encode(random))).toBe(true);
  });

  it('uses the compressed form when it is exactly as long as the uncompressed one, as BEAM does', () => {
    // Find binaries whose deflated term is exactly 5 bytes shorter than the term (6 bytes of header
    // against 1 version byte: equal totals), and one byte longer than that.
    let equal: Buffer | undefined;
    let longer: Buffer | undefined;
    for (let n = 1; n < 400 && !(equal && longer); n++) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = i % 17 === 0 ? (i * 31) & 255 : 65;
      const size = encode(b).length - 1;
      const packed = zlib.deflateSync(encode(b).subarray(1), { level: 6 }).length;
      if (packed === size - 5) equal ??= b;
      if (packed === size - 4) longer ??= b;
    }
    expect(equal).toBeDefined();
    expect(longer).toBeDefined();
    const e = new Encoder({ compressed: true });
    expect(e.encode(equal as Buffer)[1]).toBe(80);
    expect(e.encode(equal as Buffer).length).toBe(encode(equal as Buffer).length);
    expect(e.encode(longer as Buffer).equals(encode(longer as Buffer))).toBe(true);
  });

  it('level 0 and false do not compress; a bad level is a RangeError', () => {
    expect(new Encoder({ compressed: 0 }).encode(hellos).equals(encode(hellos))).toBe(true);
    expect(new Encoder({ compressed: false }).encode(hellos).equals(encode(hellos))).toBe(true);
    expect(() => new Encoder({ compressed: 10 })).toThrow(RangeError);
    expect(() => new Encoder({ compressed: 1.5 })).toThrow(RangeError);
  });
});

describe('encodeWithoutVersion and the atom cache hook', () => {
  it('is encode without the 131', () => {
    const t = tuple(atom('ok'), [1, 2, 3], new ErlFloat(2.5));
    expect(new Encoder().encodeWithoutVersion(t).equals(encode(t).subarray(1))).toBe(true);
  });

  it('writes ATOM_CACHE_REF where the hook gives an index, for every atom including node names and booleans', () => {
    const seen: Atom[] = [];
    const refs = new Map<Atom, number>([
      [atom('ok'), 0],
      [NONODE, 1],
      [atom('true'), 2],
    ]);
    const e = new Encoder({
      atomCacheHook: (a) => {
        seen.push(a);
        return refs.get(a);
      },
    });
    const t = tuple(atom('ok'), true, atom('other'), new Pid(NONODE, 9, 0, 0));
    const bytes = e.encodeWithoutVersion(t);
    expect(bytes.toString('hex')).toBe('6804 5200 5202 77056f74686572 58 5201 000000090000000000000000'.replace(/ /g, ''));
    expect(seen).toEqual([atom('ok'), atom('true'), atom('other'), NONODE]);
    const cache = [atom('ok'), NONODE, atom('true')];
    expect(equals(new Decoder({ atomCache: cache }).decodeAt(bytes, 0).term, t)).toBe(true);
  });

  it('encode (with the version byte, as term_to_binary) never uses the hook', () => {
    const e = new Encoder({ atomCacheHook: () => 0 });
    expect(e.encode(atom('ok')).toString('hex')).toBe('8377026f6b');
  });

  it('an index outside 0..254 is bad_value', () => {
    const e = new Encoder({ atomCacheHook: () => 255 });
    let error: unknown;
    try {
      e.encodeWithoutVersion(atom('ok'));
    } catch (err) {
      error = err;
    }
    expect(error instanceof EncodeError && error.code).toBe('bad_value');
  });
});

describe('the reused buffer', () => {
  it('each call returns its own bytes', () => {
    const e = new Encoder();
    const first = e.encode(tuple(atom('a'), 1));
    const second = e.encode(tuple(atom('b'), 2));
    expect([first.toString('hex'), second.toString('hex')]).toEqual([
      '836802770161 6101'.replace(' ', ''),
      '836802770162 6102'.replace(' ', ''),
    ]);
  });

  it('grows for big terms and stays right afterwards', () => {
    const e = new Encoder();
    const big = Array.from({ length: 200_000 }, (_, i) => i * 1000);
    const bytes = e.encode(big);
    expect(bytes.length).toBe(1 + 5 + 2 + 199_999 * 5 + 1);
    expect(equals(decode(bytes), big)).toBe(true);
    expect(e.encode(atom('x')).toString('hex')).toBe('83770178');
  });
});

describe('results as views of one slab', () => {
  it('results written one after the other keep their bytes, across slabs and after a slab grew mid-way', () => {
    const e = new Encoder();
    const results: [Buffer, Term][] = [];
    for (let i = 0; i < 3000; i++) {
      // Mostly small terms, now and then one bigger than what is left of the slab (or of any slab).
      const t: Term =
        i % 97 === 0 ? Array.from({ length: 5000 + i * 10 }, (_, k) => k * 300) : tuple(atom('n'), i, Buffer.alloc(i % 50, i));
      results.push([e.encode(t), t]);
    }
    for (const [bytes, t] of results) expect(equals(decode(bytes), t)).toBe(true);
  });

  it('a call that throws leaves the results before it intact and the encoder usable', () => {
    const e = new Encoder();
    const before = e.encode(tuple(atom('a'), 1));
    expect(() => e.encode([Array.from({ length: 20_000 }, (_, i) => i), { no: 'term' } as unknown as Term])).toThrow(EncodeError);
    expect(before.toString('hex')).toBe('836802770161' + '6101');
    expect(e.encode(atom('x')).toString('hex')).toBe('83770178');
  });
});

describe('encodeChunks', () => {
  const big = Buffer.alloc(OWN_CHUNK_BYTES, 7);

  it("the bytes of encodeWithoutVersion, a large binary as the caller's own Buffer", () => {
    const e = new Encoder();
    const t = tuple(atom('ok'), big, [Buffer.alloc(OWN_CHUNK_BYTES - 1, 1), big], atom('end'));
    const chunks: Buffer[] = [];
    const size = e.encodeChunks(t, chunks);
    expect(Buffer.concat(chunks).equals(new Encoder().encodeWithoutVersion(t))).toBe(true);
    expect(size).toBe(Buffer.concat(chunks).length);
    // The encoder's bytes, big, the encoder's bytes (the smaller binary copied), big, the rest.
    expect(chunks).toHaveLength(5);
    expect(chunks[1]).toBe(big);
    expect(chunks[3]).toBe(big);
  });

  it('a term that ends with a large binary ends with it; a Uint8Array becomes a view of its bytes', () => {
    const e = new Encoder();
    const u8 = new Uint8Array(OWN_CHUNK_BYTES + 3).fill(5);
    const chunks: Buffer[] = [];
    expect(e.encodeChunks(u8 as unknown as Term, chunks)).toBe(5 + u8.length);
    expect(chunks).toHaveLength(2);
    expect(chunks[0].toString('hex')).toBe('6d00010003');
    expect(chunks[1].buffer).toBe(u8.buffer);
    expect(chunks[1].length).toBe(u8.length);
  });

  it('copies binaries inside a fun (whose Size field counts them), and uses the atom cache hook', () => {
    const e = new Encoder({ atomCacheHook: (a) => (a === atom('ok') ? 3 : undefined) });
    const f = new Fun(atom('m'), 0, Buffer.alloc(16), 0, 0, 0, new Pid(atom('n@h'), 1, 0, 0), [big]);
    const chunks: Buffer[] = [];
    e.encodeChunks(tuple(atom('ok'), f), chunks);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].subarray(0, 4).toString('hex')).toBe('68025203');
    expect(chunks[0].equals(e.encodeWithoutVersion(tuple(atom('ok'), f)))).toBe(true);
  });
});

describe('deep nesting, without recursion', () => {
  const DEPTH = 100_000;

  it(`a list nested ${DEPTH} deep encodes, and decodes back`, () => {
    let t: Term = [];
    for (let i = 0; i < DEPTH; i++) t = [t];
    const bytes = encode(t);
    expect(bytes.equals(Buffer.concat([hex('83'), Buffer.from('6c00000001'.repeat(DEPTH), 'hex'), Buffer.alloc(DEPTH + 1, 0x6a)]))).toBe(
      true,
    );
    expect(equals(decode(bytes), t)).toBe(true);
  });

  it(`a tuple nested ${DEPTH} deep, and an improper list tail chain, encode`, () => {
    let t: Term = atom('leaf');
    for (let i = 0; i < DEPTH; i++) t = tuple(t);
    const bytes = encode(t);
    expect(bytes.equals(Buffer.concat([hex('83'), Buffer.from('6801'.repeat(DEPTH), 'hex'), hex('77046c656166')]))).toBe(true);
    let tail: Term = 0;
    for (let i = 0; i < DEPTH; i++) tail = new ImproperList([1], tail);
    const flat = encode(tail);
    expect(flat.readUInt32BE(2)).toBe(DEPTH);
    expect(flat.length).toBe(6 + 2 * DEPTH + 2);
  });
});
