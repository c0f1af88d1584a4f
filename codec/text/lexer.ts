/**
 * The tokens of Erlang term text, as erl_scan reads them: atoms (quoted, with escapes), variables,
 * integers (`16#FF`, `1_000`, big), floats, strings, `$c` characters, punctuation and `%` comments;
 * plus this library's one-token forms for pids, ports, references and funs (`#Pid<a@b.80.0.1>`).
 */

/** A syntax error in Erlang text, with the 1-based line and column where it was found. */
export class TextParseError extends Error {
  readonly code = 'syntax';

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'TextParseError';
  }
}

/** Punctuation the term grammar uses. `.` is only the end of a term (followed by white space or EOF). */
export type Punct = '[' | ']' | '{' | '}' | '#{' | ',' | '|' | '=>' | '<<' | '>>' | ':' | '/' | '-' | '+' | '.';

/** The kinds of opaque terms written as `#Kind<Node.Number...>`. */
export type OpaqueKind = 'Pid' | 'Port' | 'Ref' | 'Fun';

/** What a token is, without its position. */
export type TokenBody =
  | { kind: 'atom'; name: string }
  | { kind: 'var'; name: string }
  | { kind: 'reserved'; name: string }
  | { kind: 'integer'; value: number | bigint }
  | { kind: 'float'; value: number }
  | { kind: 'string'; codes: number[] }
  | { kind: 'char'; code: number }
  | { kind: 'punct'; text: Punct }
  /** `#Pid<node.80.0.3>`: the atom first, then the dot-separated words after it. */
  | { kind: 'opaque'; opaque: OpaqueKind; name: string; words: string[] }
  | { kind: 'eof' };

/** A token and where it starts (1-based line and column, the column in UTF-16 units). */
export type Token = TokenBody & { line: number; column: number };

// prettier-ignore
const RESERVED = new Set([
  'after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case', 'catch',
  'cond', 'div', 'end', 'fun', 'if', 'let', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try',
  'when', 'xor',
]);

/**
 * True for the words OTP 25's erl_scan reserves, which are atoms only when quoted. (`maybe` and
 * `else` are reserved from OTP 27 on; this reader still takes them as atoms, as OTP 25 does.)
 */
export function isReservedWord(name: string): boolean {
  return RESERVED.has(name);
}

/** The longest atom erl accepts, in characters. */
const MAX_ATOM_CHARS = 255;

const OPAQUE_KINDS: readonly OpaqueKind[] = ['Pid', 'Port', 'Ref', 'Fun'];

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** erl_scan's white space: control characters, space, and the Latin-1 range 128..160. */
function isSpace(c: number): boolean {
  return c <= 0x20 || (c >= 0x80 && c <= 0xa0);
}

/** A lowercase letter that starts an unquoted atom (Latin-1 included, as erl_scan has it). */
function isAtomStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
}

/** An uppercase letter or `_`, which start a variable. */
function isVarStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0xc0 && c <= 0xde && c !== 0xd7);
}

function isNameChar(c: number): boolean {
  return isAtomStart(c) || isVarStart(c) || isDigit(c) || c === 0x40;
}

/** The value of `c` as a digit in bases up to 36, or 99. */
function digitValue(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/** Integers as `number` while safe, `bigint` beyond, as the term model has them. */
function integerValue(digits: string, base: number): number | bigint {
  if (base === 10 && digits.length <= 15) return Number(digits);
  let big = 0n;
  const b = BigInt(base);
  for (let i = 0; i < digits.length; i++) big = big * b + BigInt(digitValue(digits.charCodeAt(i)));
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Reads tokens one at a time from `text`, with one token of lookahead. */
export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private peeked: Token | null = null;

  constructor(private readonly text: string) {}

  /** The next token, consuming it. */
  next(): Token {
    if (this.peeked) {
      const t = this.peeked;
      this.peeked = null;
      return t;
    }
    return this.scan();
  }

  /** The next token, without consuming it. */
  peek(): Token {
    if (!this.peeked) this.peeked = this.scan();
    return this.peeked;
  }

  /** An error at `token`, or at the current position. */
  error(reason: string, token?: { line: number; column: number }): TextParseError {
    return token
      ? new TextParseError(reason, token.line, token.column)
      : new TextParseError(reason, this.line, this.pos - this.lineStart + 1);
  }

  private code(at = this.pos): number {
    return at < this.text.length ? this.text.charCodeAt(at) : -1;
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x0a) {
        this.newline(this.pos);
        this.pos++;
      } else if (isSpace(c)) {
        this.pos++;
      } else if (c === 0x25) {
        while (this.pos < text.length && text.charCodeAt(this.pos) !== 0x0a) this.pos++;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const line = this.line;
    const column = this.pos - this.lineStart + 1;
    const c = this.code();
    if (c < 0) return { kind: 'eof', line, column };
    if (isDigit(c)) return this.number(line, column);
    if (isAtomStart(c)) {
      const name = this.name();
      return { kind: RESERVED.has(name) ? 'reserved' : 'atom', name, line, column };
    }
    if (isVarStart(c)) return { kind: 'var', name: this.name(), line, column };
    const next = this.code(this.pos + 1);
    let text: Punct | undefined;
    switch (c) {
      case 0x27: // '
        return { kind: 'atom', name: this.quotedAtom(), line, column };
      case 0x22: // "
        return { kind: 'string', codes: this.quoted(0x22, 'string'), line, column };
      case 0x24: // $
        return { kind: 'char', code: this.char(), line, column };
      case 0x23: // #
        return { ...this.hash(), line, column };
      case 0x2c:
        text = ',';
        break;
      case 0x5b:
        text = '[';
        break;
      case 0x5d:
        text = ']';
        break;
      case 0x7b:
        text = '{';
        break;
      case 0x7d:
        text = '}';
        break;
      case 0x7c:
        text = '|';
        break;
      case 0x3a:
        text = ':';
        break;
      case 0x2f:
        text = '/';
        break;
      case 0x2d:
        text = '-';
        break;
      case 0x2b:
        text = '+';
        break;
      case 0x3d: // =>
        if (next === 0x3e) text = '=>';
        break;
      case 0x3c: // <<
        if (next === 0x3c) text = '<<';
        else if (isDigit(next))
          throw this.error("erl's pid text <N.I.S> names the node by a local index: write #Pid<Node.Id.Serial.Creation>");
        break;
      case 0x3e: // >>
        if (next === 0x3e) text = '>>';
        break;
      case 0x2e: // a '.' ends a term only when white space, a comment or the end follows
        if (next < 0 || isSpace(next) || next === 0x25) text = '.';
        else throw this.error("unexpected '.' (a term ends with '.' and white space)");
        break;
    }
    if (text === undefined) throw this.error(`unexpected character '${String.fromCodePoint(this.text.codePointAt(this.pos) as number)}'`);
    this.pos += text.length;
    return { kind: 'punct', text, line, column };
  }

  /** An unquoted atom or variable name. */
  private name(): string {
    const start = this.pos;
    while (isNameChar(this.code())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A run of digits in `base`, with single `_` between digits (OTP 23+). */
  private digits(base: number, what: string): string {
    const start = this.pos;
    let separated = false;
    for (;;) {
      const c = this.code();
      if (digitValue(c) < base) {
        this.pos++;
      } else if (c === 0x5f && this.pos > start && digitValue(this.code(this.pos + 1)) < base) {
        separated = true;
        this.pos++;
      } else {
        break;
      }
    }
    if (this.pos === start) throw this.error(`expected ${what}`);
    const text = this.text.slice(start, this.pos);
    return separated ? text.replace(/_/g, '') : text;
  }

  private number(line: number, column: number): Token {
    const start = this.pos;
    const whole = this.digits(10, 'a digit');
    if (this.code() === 0x5f) throw this.error("a '_' in a number must stand between two digits");
    if (this.code() === 0x23) {
      // Base#Digits
      const base = Number(whole);
      if (base < 2 || base > 36) throw this.error(`base ${whole} is not between 2 and 36`);
      this.pos++;
      const value = integerValue(this.digits(base, `a base-${base} digit`).toLowerCase(), base);
      if (isNameChar(this.code()))
        throw this.error(`'${String.fromCodePoint(this.text.codePointAt(this.pos) as number)}' is not a base-${base} digit`);
      return { kind: 'integer', value, line, column };
    }
    if (this.code() === 0x2e && isDigit(this.code(this.pos + 1))) {
      this.pos++;
      let text = whole + '.' + this.digits(10, 'a digit');
      const e = this.code();
      if (e === 0x65 || e === 0x45) {
        this.pos++;
        let sign = '';
        if (this.code() === 0x2d || this.code() === 0x2b) {
          sign = String.fromCharCode(this.code());
          this.pos++;
        }
        text += 'e' + sign + this.digits(10, 'the digits of an exponent');
      }
      const value = Number(text);
      if (!Number.isFinite(value)) {
        this.pos = start;
        throw this.error(`the float ${text} is too large`);
      }
      return { kind: 'float', value, line, column };
    }
    if (isNameChar(this.code()))
      throw this.error(`unexpected '${String.fromCodePoint(this.text.codePointAt(this.pos) as number)}' after a number`);
    return { kind: 'integer', value: integerValue(whole, 10), line, column };
  }

  private quotedAtom(): string {
    const codes = this.quoted(0x27, 'atom');
    if (codes.length > MAX_ATOM_CHARS) throw this.error(`an atom has at most ${MAX_ATOM_CHARS} characters`);
    let name = '';
    for (const c of codes) {
      if (c >= 0xd800 && c <= 0xdfff) throw this.error(`an atom cannot hold the surrogate code point ${c}`);
      name += String.fromCodePoint(c);
    }
    return name;
  }

  /** The code points between `quote`s, escapes resolved. */
  private quoted(quote: number, what: string): number[] {
    const startLine = this.line;
    const startColumn = this.pos - this.lineStart + 1;
    this.pos++;
    const codes: number[] = [];
    for (;;) {
      const c = this.code();
      if (c < 0) throw new TextParseError(`unterminated ${what}`, startLine, startColumn);
      if (c === quote) {
        this.pos++;
        return codes;
      }
      if (c === 0x5c) {
        codes.push(this.escape());
        continue;
      }
      const cp = this.text.codePointAt(this.pos) as number;
      if (c === 0x0a) this.newline(this.pos);
      this.pos += cp > 0xffff ? 2 : 1;
      codes.push(cp);
    }
  }

  /** `$c`: the code of one character or escape. */
  private char(): number {
    this.pos++;
    const c = this.code();
    if (c < 0) throw this.error("expected a character after '$'");
    if (c === 0x5c) return this.escape();
    const cp = this.text.codePointAt(this.pos) as number;
    if (c === 0x0a) this.newline(this.pos);
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** An escape sequence, starting at its backslash: erl_scan's escapes. */
  private escape(): number {
    const start = this.pos;
    this.pos++;
    const c = this.code();
    if (c < 0) throw this.error('unterminated escape sequence');
    if (c >= 0x30 && c <= 0x37) {
      let value = 0;
      for (let n = 0; n < 3 && this.code() >= 0x30 && this.code() <= 0x37; n++) {
        value = value * 8 + this.code() - 0x30;
        this.pos++;
      }
      return value;
    }
    this.pos++;
    // prettier-ignore
    switch (c) {
      case 0x78: // x
        return this.hexEscape(start);
      case 0x5e: {
        // ^A: a control character
        const ctl = this.code();
        if (ctl < 0) throw this.error('unterminated escape sequence');
        this.pos++;
        return ctl & 31;
      }
      case 0x6e: return 0x0a; // n
      case 0x72: return 0x0d; // r
      case 0x74: return 0x09; // t
      case 0x76: return 0x0b; // v
      case 0x62: return 0x08; // b
      case 0x66: return 0x0c; // f
      case 0x65: return 0x1b; // e
      case 0x73: return 0x20; // s
      case 0x64: return 0x7f; // d
    }
    if (c === 0x0a) this.newline(this.pos - 1);
    const cp = this.text.codePointAt(this.pos - 1) as number;
    if (cp > 0xffff) this.pos++;
    return cp;
  }

  /** `\xHH` or `\x{H...}`, after the `x`; errors point at the backslash at `start`. */
  private hexEscape(start: number): number {
    let digits: string;
    if (this.code() === 0x7b) {
      const end = this.text.indexOf('}', this.pos);
      digits = end < 0 ? '' : this.text.slice(this.pos + 1, end);
      if (!/^[0-9a-fA-F]+$/.test(digits)) throw this.error('expected hex digits and } after \\x{');
      this.pos = end + 1;
    } else {
      digits = this.text.substr(this.pos, 2);
      if (!/^[0-9a-fA-F]{2}$/.test(digits)) throw this.error('expected two hex digits after \\x');
      this.pos += 2;
    }
    const value = parseInt(digits, 16);
    if (digits.length > 6 || value > 0x10ffff) {
      this.pos = start;
      throw this.error(`\\x{${digits}} is beyond Unicode`);
    }
    return value;
  }

  /** `#{`, or one of this library's `#Kind<...>` forms. */
  private hash(): TokenBody {
    this.pos++;
    if (this.code() === 0x7b) {
      this.pos++;
      return { kind: 'punct', text: '#{' };
    }
    const kind = OPAQUE_KINDS.find((k) => this.text.startsWith(k + '<', this.pos));
    if (!kind) throw this.error("expected '{' or one of Pid<, Port<, Ref<, Fun< after '#'");
    this.pos += kind.length + 1;
    const c = this.code();
    if (isDigit(c)) {
      throw this.error(`erl's #${kind}<N...> text names the node by a local index: write the node's name in its place`);
    }
    let name: string;
    if (c === 0x27) name = this.quotedAtom();
    else if (isAtomStart(c)) name = this.name();
    else throw this.error(`expected a ${kind === 'Fun' ? 'module' : 'node'} name after #${kind}<`);
    const words: string[] = [];
    while (this.code() === 0x2e) {
      this.pos++;
      const start = this.pos;
      while (digitValue(this.code()) < 36) this.pos++;
      if (start === this.pos) throw this.error(`expected a number after '.' in #${kind}<...>`);
      words.push(this.text.slice(start, this.pos));
    }
    if (this.code() !== 0x3e) throw this.error(`expected '.' or '>' in #${kind}<...>`);
    this.pos++;
    return { kind: 'opaque', opaque: kind, name, words };
  }
}

/** A token as an error message names it. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'punct':
      return `'${token.text}'`;
    case 'atom':
      return `the atom ${token.name}`;
    case 'var':
      return `the variable ${token.name}`;
    case 'reserved':
      return `'${token.name}'`;
    case 'integer':
    case 'float':
      return `the number ${token.value}`;
    case 'char':
      return `the character $${String.fromCodePoint(token.code)}`;
    case 'string':
      return 'a string';
    case 'opaque':
      return `#${token.opaque}<...>`;
  }
}
