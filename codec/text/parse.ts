/**
 * Erlang term text -> terms, without recursion (text may nest 100,000 deep): what `~w` and `~p`
 * print, what `file:consult` reads, what a human types in an erl shell, and this library's text
 * for pids, ports, references and funs (see {@link formatTerm}).
 */
import { endianness } from 'os';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../terms';
import { ErlMap } from '../erlmap';
import { describeToken, Lexer, Token } from './lexer';
import { BitWriter, MAX_BINARY_BITS, MAX_SEGMENT_BITS } from './binary';

/**
 * Parse one term, optionally followed by `.`: `parseTerm('{ok, [1,2|3]}')`.
 *
 * Integers are `number` when safe and `bigint` beyond; floats are {@link ErlFloat}; strings are
 * charlists (`number[]`); `true`/`false` are booleans.
 *
 * @throws TextParseError with the line and column of the first error.
 */
export function parseTerm(text: string): Term {
  const lexer = new Lexer(text);
  const term = readTerm(lexer);
  let token = lexer.next();
  if (token.kind === 'punct' && token.text === '.') token = lexer.next();
  if (token.kind !== 'eof') throw lexer.error(`unexpected ${describeToken(token)} after the term`, token);
  return term;
}

/**
 * Parse a sequence of terms, each ending with `.`, as `file:consult` reads a file:
 * `{port, 1234}.  {service, s, password, "ABXy45", mfa, m, f, []}.` (`%` starts a comment).
 *
 * @throws TextParseError with the line and column of the first error.
 */
export function parseTerms(text: string): Term[] {
  const lexer = new Lexer(text);
  const terms: Term[] = [];
  while (lexer.peek().kind !== 'eof') {
    terms.push(readTerm(lexer));
    const token = lexer.next();
    if (token.kind !== 'punct' || token.text !== '.')
      throw lexer.error(`expected '.' after the term, found ${describeToken(token)}`, token);
  }
  return terms;
}

/** An unfinished container. A list keeps absorbing `[a|[b|[c]]]` into one frame, counting the `]` it owes. */
type Frame =
  | { kind: 'list'; items: Term[]; depth: number; tail: boolean }
  | { kind: 'tuple'; items: Term[]; fun: FunHeader | null }
  | { kind: 'map'; map: ErlMap; key: Term; hasKey: boolean };

/** `#Fun<Module.OldIndex.OldUniq>`, waiting for its `{Arity,Uniq,Index,Pid,Free}`. */
interface FunHeader {
  module: Atom;
  oldIndex: number;
  oldUniq: number;
  token: Token;
}

/** Returned by {@link startTerm} when it opened a container rather than reading a whole term. */
const OPENED = Symbol('opened');

function readTerm(lexer: Lexer): Term {
  const stack: Frame[] = [];
  for (;;) {
    const started = startTerm(lexer, stack);
    if (started === OPENED) continue;
    let value: Term = started;
    // Hand the finished value to the innermost container; close containers while they end.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) return value;
      const closed = feed(lexer, frame, value);
      if (closed === OPENED) break;
      stack.pop();
      value = closed;
    }
  }
}

function isPunct(token: Token, text: string): boolean {
  return token.kind === 'punct' && token.text === text;
}

function expect(lexer: Lexer, text: string, where: string): void {
  const token = lexer.next();
  if (!isPunct(token, text)) throw lexer.error(`expected '${text}' ${where}, found ${describeToken(token)}`, token);
}

/**
 * Give `value` to `frame` and read what follows it. Returns the finished container when that
 * closed it, or OPENED when another item follows.
 */
function feed(lexer: Lexer, frame: Frame, value: Term): Term | typeof OPENED {
  switch (frame.kind) {
    case 'list': {
      if (frame.tail) {
        for (let i = 0; i < frame.depth; i++) expect(lexer, ']', 'after the tail of a list');
        return withTail(frame.items, value);
      }
      frame.items.push(value);
      const token = lexer.next();
      if (isPunct(token, ',')) return OPENED;
      if (isPunct(token, ']')) {
        for (let i = 1; i < frame.depth; i++) expect(lexer, ']', 'after the tail of a list');
        return frame.items;
      }
      if (!isPunct(token, '|')) throw lexer.error(`expected ',', '|' or ']' in a list, found ${describeToken(token)}`, token);
      if (!isPunct(lexer.peek(), '[')) {
        frame.tail = true;
        return OPENED;
      }
      // [a|[b, c]] is the list [a, b, c]: keep going in this frame.
      lexer.next();
      if (isPunct(lexer.peek(), ']')) {
        lexer.next();
        for (let i = 0; i < frame.depth; i++) expect(lexer, ']', 'after the tail of a list');
        return frame.items;
      }
      frame.depth++;
      return OPENED;
    }
    case 'tuple': {
      frame.items.push(value);
      const token = lexer.next();
      if (isPunct(token, ',')) return OPENED;
      if (!isPunct(token, '}')) throw lexer.error(`expected ',' or '}' in a tuple, found ${describeToken(token)}`, token);
      return frame.fun ? makeFun(lexer, frame.fun, frame.items) : new Tuple(frame.items);
    }
    case 'map': {
      if (!frame.hasKey) {
        frame.key = value;
        frame.hasKey = true;
        expect(lexer, '=>', 'after a map key');
        return OPENED;
      }
      frame.map.set(frame.key, value);
      frame.hasKey = false;
      const token = lexer.next();
      if (isPunct(token, ',')) return OPENED;
      if (!isPunct(token, '}')) throw lexer.error(`expected ',' or '}' in a map, found ${describeToken(token)}`, token);
      return frame.map;
    }
  }
}

/** `[a, b | Tail]` where Tail did not start with `[` (a string, or any other term). */
function withTail(items: Term[], tail: Term): Term {
  if (Array.isArray(tail)) return items.concat(tail);
  if (tail instanceof ImproperList) return new ImproperList(items.concat(tail.elements), tail.tail);
  return new ImproperList(items, tail);
}

/** Read a whole scalar term, or open a container (pushing its frame) and return OPENED. */
function startTerm(lexer: Lexer, stack: Frame[]): Term | typeof OPENED {
  const token = lexer.next();
  switch (token.kind) {
    case 'integer':
      return token.value;
    case 'float':
      return new ErlFloat(token.value);
    case 'char':
      return token.code;
    case 'string':
      return readString(lexer, token.codes);
    case 'atom':
      return token.name === 'true' ? true : token.name === 'false' ? false : Atom.of(token.name);
    case 'var':
      throw lexer.error(
        `${token.name} is a variable, not a term (an atom starting with a capital letter or _ is written '${token.name}')`,
        token,
      );
    case 'reserved':
      if (token.name === 'fun') return readExportFun(lexer);
      throw lexer.error(`'${token.name}' is a reserved word: write the atom as '${token.name}'`, token);
    case 'opaque':
      if (token.opaque !== 'Fun') return makeOpaque(lexer, token);
      if (!isPunct(lexer.next(), '{')) {
        throw lexer.error("erl's #Fun<M.I.U> text lacks the fun's fields: write #Fun<M.I.U>{Arity,<<Uniq>>,Index,Pid,[Free...]}", token);
      }
      stack.push({ kind: 'tuple', items: [], fun: funHeader(lexer, token) });
      return OPENED;
    case 'eof':
      throw lexer.error('unexpected end of input: expected a term', token);
  }
  switch (token.text) {
    case '-':
    case '+':
      return readSigned(lexer, token.text);
    case '<<':
      return readBinary(lexer);
    case '[':
      if (isPunct(lexer.peek(), ']')) {
        lexer.next();
        return [];
      }
      stack.push({ kind: 'list', items: [], depth: 1, tail: false });
      return OPENED;
    case '{':
      if (isPunct(lexer.peek(), '}')) {
        lexer.next();
        return new Tuple([]);
      }
      stack.push({ kind: 'tuple', items: [], fun: null });
      return OPENED;
    case '#{':
      if (isPunct(lexer.peek(), '}')) {
        lexer.next();
        return new ErlMap();
      }
      stack.push({ kind: 'map', map: new ErlMap(), key: [], hasKey: false });
      return OPENED;
  }
  throw lexer.error(`expected a term, found ${describeToken(token)}`, token);
}

/** Adjacent strings are one string, as in Erlang: `"ab" "cd"`. */
function readString(lexer: Lexer, first: number[]): number[] {
  let codes = first;
  for (let next = lexer.peek(); next.kind === 'string'; next = lexer.peek()) {
    codes = codes.concat(next.codes);
    lexer.next();
  }
  return codes;
}

/** A number after a unary `-` or `+`. */
function readSigned(lexer: Lexer, sign: '-' | '+'): number | bigint | ErlFloat {
  const token = lexer.next();
  if (token.kind === 'integer') {
    if (sign === '+') return token.value;
    if (typeof token.value === 'bigint') return -token.value;
    return token.value === 0 ? 0 : -token.value;
  }
  if (token.kind === 'float') return new ErlFloat(sign === '-' ? -token.value : token.value);
  throw lexer.error(`expected a number after '${sign}', found ${describeToken(token)}`, token);
}

/** A binary literal, after its `<<`. */
function readBinary(lexer: Lexer): Buffer | BitBinary {
  const writer = new BitWriter();
  if (isPunct(lexer.peek(), '>>')) {
    lexer.next();
    return writer.result();
  }
  for (;;) {
    readSegment(lexer, writer);
    const token = lexer.next();
    if (isPunct(token, '>>')) return writer.result();
    if (!isPunct(token, ',')) throw lexer.error(`expected ',' or '>>' in a binary, found ${describeToken(token)}`, token);
  }
}

type SegmentType = 'integer' | 'float' | 'utf8' | 'utf16' | 'utf32';

/** `Value[:Size][/Type-Specifiers]`, where Value is a number, a character or a string. */
function readSegment(lexer: Lexer, writer: BitWriter): void {
  const start = lexer.next();
  let values: Array<number | bigint | ErlFloat>;
  if (start.kind === 'integer') values = [start.value];
  else if (start.kind === 'float') values = [new ErlFloat(start.value)];
  else if (start.kind === 'char') values = [start.code];
  else if (start.kind === 'string') values = readString(lexer, start.codes);
  else if (start.kind === 'punct' && (start.text === '-' || start.text === '+')) values = [readSigned(lexer, start.text)];
  else throw lexer.error(`expected a number, character or string in a binary, found ${describeToken(start)}`, start);

  let size: number | undefined;
  if (isPunct(lexer.peek(), ':')) {
    lexer.next();
    const token = lexer.next();
    if (token.kind !== 'integer' || typeof token.value !== 'number')
      throw lexer.error(`expected a segment size, found ${describeToken(token)}`, token);
    size = token.value;
  }
  let type: SegmentType = 'integer';
  let little = false;
  let unit = 1;
  if (isPunct(lexer.peek(), '/')) {
    lexer.next();
    for (;;) {
      const token = lexer.next();
      if (token.kind !== 'atom') throw lexer.error(`expected a type specifier, found ${describeToken(token)}`, token);
      switch (token.name) {
        case 'integer':
        case 'float':
        case 'utf8':
        case 'utf16':
        case 'utf32':
          type = token.name;
          break;
        case 'signed':
        case 'unsigned':
          break;
        case 'big':
          little = false;
          break;
        case 'little':
          little = true;
          break;
        case 'native':
          little = endianness() === 'LE';
          break;
        case 'unit': {
          expect(lexer, ':', "after 'unit'");
          const n = lexer.next();
          if (n.kind !== 'integer' || typeof n.value !== 'number' || n.value < 1 || n.value > 256)
            throw lexer.error('expected a unit from 1 to 256', n);
          unit = n.value;
          break;
        }
        default:
          throw lexer.error(`unsupported type specifier ${token.name} in a binary literal`, token);
      }
      if (!isPunct(lexer.peek(), '-')) break;
      lexer.next();
    }
  }

  const spec: SegmentSpec = { type, size, unit, little };
  for (const value of values) writeSegment(value, spec, { lexer, at: start, writer });
}

/** A segment's type specifiers, as `Value:Size/Type-unit:Unit-Endianness` gives them. */
interface SegmentSpec {
  type: SegmentType;
  size: number | undefined;
  unit: number;
  little: boolean;
}

/** Write one value of a segment; errors point at the segment's first token. */
function writeSegment(
  value: number | bigint | ErlFloat,
  { type, size, unit, little }: SegmentSpec,
  { lexer, at, writer }: { lexer: Lexer; at: Token; writer: BitWriter },
): void {
  if (type === 'float') {
    const bits = (size ?? 64) * unit;
    if (bits !== 32 && bits !== 64) throw lexer.error('a float segment is 32 or 64 bits', at);
    const v = value instanceof ErlFloat ? value.value : Number(value);
    if (bits === 32 && !Number.isFinite(Math.fround(v))) throw lexer.error(`${v} does not fit a 32-bit float`, at);
    writer.float(v, bits, little);
    return;
  }
  if (value instanceof ErlFloat) throw lexer.error(`a float in a binary needs /float`, at);
  if (type === 'integer') {
    const bits = (size ?? 8) * unit;
    if (bits > MAX_SEGMENT_BITS) throw lexer.error(`a segment of ${bits} bits is too large`, at);
    if (writer.bitLength + bits > MAX_BINARY_BITS) throw lexer.error(`a binary of more than ${MAX_BINARY_BITS} bits is too large`, at);
    if (little && bits % 8 !== 0) throw lexer.error('a little-endian segment must be whole bytes', at);
    writer.integer(value, bits, little);
    return;
  }
  if (size !== undefined) throw lexer.error(`a ${type} segment has no size`, at);
  if (typeof value !== 'number' || value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    throw lexer.error(`${value} is not a Unicode code point`, at);
  }
  writer.utf(value, type, little);
}

/**
 * `fun Module:Function/Arity`, after the `fun`. The names may be reserved words, as erl writes
 * them there unquoted (`fun erlang:and/2`).
 */
function readExportFun(lexer: Lexer): ExportFun {
  const module = lexer.next();
  if (module.kind !== 'atom' && module.kind !== 'reserved')
    throw lexer.error(`expected a module name after 'fun', found ${describeToken(module)}`, module);
  expect(lexer, ':', 'after the module of fun M:F/A');
  const fn = lexer.next();
  if (fn.kind !== 'atom' && fn.kind !== 'reserved')
    throw lexer.error(`expected a function name in fun M:F/A, found ${describeToken(fn)}`, fn);
  expect(lexer, '/', 'after the function of fun M:F/A');
  const arity = lexer.next();
  if (arity.kind !== 'integer' || typeof arity.value !== 'number' || arity.value > 255) {
    throw lexer.error(`expected an arity (0..255) in fun M:F/A, found ${describeToken(arity)}`, arity);
  }
  return new ExportFun(Atom.of(module.name), Atom.of(fn.name), arity.value);
}

/** A decimal word of a `#Kind<...>` form, at most `max`. */
function word(lexer: Lexer, token: Token, text: string, max: bigint): number | bigint {
  if (!/^[0-9]+$/.test(text)) throw lexer.error(`'${text}' is not a decimal number`, token);
  const big = BigInt(text);
  if (big > max) throw lexer.error(`${text} is out of range (at most ${max})`, token);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const U32 = 0xffffffffn;
const U64 = 0xffffffffffffffffn;

function word32(lexer: Lexer, token: Token, text: string): number {
  return word(lexer, token, text, U32) as number;
}

/** `#Pid<Node.Id.Serial.Creation>`, `#Port<Node.Id.Creation[.v4]>`, `#Ref<Node.Word....Creation>`. */
function makeOpaque(lexer: Lexer, token: Token & { kind: 'opaque' }): Term {
  const node = Atom.of(token.name);
  const w = token.words;
  switch (token.opaque) {
    case 'Pid':
      if (w.length !== 3) throw lexer.error('a pid is #Pid<Node.Id.Serial.Creation>', token);
      return new Pid(node, word32(lexer, token, w[0]), word32(lexer, token, w[1]), word32(lexer, token, w[2]));
    case 'Port': {
      const v4 = w[w.length - 1] === 'v4';
      const n = v4 ? w.length - 1 : w.length;
      if (n !== 2) throw lexer.error('a port is #Port<Node.Id.Creation> or #Port<Node.Id.Creation.v4>', token);
      return new Port(node, word(lexer, token, w[0], U64), word32(lexer, token, w[1]), v4);
    }
    default: {
      if (w.length < 2 || w.length > 6) throw lexer.error('a reference is #Ref<Node.Word....Creation> with 1 to 5 words', token);
      const ids = w
        .slice(0, -1)
        .reverse()
        .map((x) => word32(lexer, token, x));
      return new Reference(node, word32(lexer, token, w[w.length - 1]), ids);
    }
  }
}

function funHeader(lexer: Lexer, token: Token & { kind: 'opaque' }): FunHeader {
  if (token.words.length !== 2) throw lexer.error('a fun is #Fun<Module.OldIndex.OldUniq>{Arity,Uniq,Index,Pid,Free}', token);
  return {
    module: Atom.of(token.name),
    oldIndex: word32(lexer, token, token.words[0]),
    oldUniq: word32(lexer, token, token.words[1]),
    token,
  };
}

/** The fun from its header and `{Arity, <<Uniq>>, Index, Pid, [Free...]}` (and `legacy`). */
function makeFun(lexer: Lexer, header: FunHeader, fields: Term[]): Fun {
  const [arity, uniq, index, pid, free, legacy] = fields;
  const isU32 = (x: Term): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  if (
    (fields.length !== 5 && !(fields.length === 6 && legacy === Atom.of('legacy'))) ||
    !isU32(arity) ||
    arity > 255 ||
    !Buffer.isBuffer(uniq) ||
    !isU32(index) ||
    !Array.isArray(free)
  ) {
    throw lexer.error('a fun is #Fun<Module.OldIndex.OldUniq>{Arity,<<Uniq>>,Index,Pid,[Free...]}', header.token);
  }
  return new Fun(header.module, arity, uniq, index, header.oldIndex, header.oldUniq, pid, free, fields.length === 6);
}
