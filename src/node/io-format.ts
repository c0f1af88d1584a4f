/**
 * `io_lib:format/2` as OTP's io_lib_format does it, for the io requests remote processes send
 * through our group leader: every control sequence `~F.P.PadModC` (field width, precision, pad
 * character, `*` arguments, `-` for left adjustment, the `t`, `l`, `k` and `K` modifiers) of
 * `~c ~f ~e ~g ~s ~w ~p ~W ~P ~B ~X ~# ~b ~x ~+ ~i ~n ~~`. What erl rejects (a missing or extra
 * argument, a wrong type, a bad width) throws {@link IoFormatError}, which erl's io server turns
 * into badarg in the caller.
 *
 * `~p` is io_lib_pretty's, breaking lines relative to the column where the directive starts (tabs
 * stop every 8 columns); `~w` is io_lib:write's. Lengths for padding and truncation count grapheme
 * clusters where OTP does (`string:length`).
 */
import { Atom, ErlFloat, Term } from '../../codec';
import { formatTerm, FormatOptions } from '../../codec/text/print';
import { prettyTerm, PrettyOptions } from '../../codec/text/pretty';
import { charsLength, charsOf, isCodePoint, isDeepCharList, isLatin1, sliceGraphemes, stringLength } from './io-chars';
import { floatE, floatF, floatG } from './io-float';

/** How to format. */
export interface IoFormatOptions {
  /**
   * The OTP release whose io_lib:format to imitate (default 29). Before 26 the `k` and `K`
   * modifiers do not exist; from 27 `~w` quotes the atoms `maybe` and `else`.
   */
  otp?: number;
}

/** erl's io_lib:format raised badarg for this format and these arguments. */
export class IoFormatError extends Error {
  constructor(message: string) {
    super(`io_lib:format: ${message}`);
    this.name = 'IoFormatError';
  }
}

// A peer chooses widths and precisions: bound them so one request cannot exhaust memory.
const MAX_FIELD = 1 << 24;

interface Spec {
  width: number | undefined;
  left: boolean;
  precision: number | undefined;
  pad: Term;
  unicode: boolean;
  strings: boolean;
  mapsOrder: 'ordered' | 'reversed' | undefined;
}

function isInteger(t: Term | undefined): t is number | bigint {
  return (typeof t === 'number' && Number.isInteger(t)) || typeof t === 'bigint';
}

function floatValue(t: Term): number | undefined {
  if (t instanceof ErlFloat) return t.value;
  if (typeof t === 'number' && !Number.isInteger(t)) return t;
  return undefined;
}

function atomName(t: Term): string | undefined {
  if (t instanceof Atom) return t.name;
  if (typeof t === 'boolean') return String(t);
  return undefined;
}

/** A width or precision: a safe, bounded number. */
function bounded(n: number | bigint): number {
  if (n > MAX_FIELD || n < -MAX_FIELD) throw new IoFormatError(`field ${n} out of range`);
  return Number(n);
}

/** The format's items: characters (code points) and, from a list format, literal chardata. */
function formatItems(format: Term | string): Array<number | Term> {
  if (typeof format === 'string') return Array.from(format, (ch) => ch.codePointAt(0) as number);
  if (Buffer.isBuffer(format)) return Array.from(format);
  const name = atomName(format);
  if (name !== undefined) return Array.from(name, (ch) => ch.codePointAt(0) as number);
  if (Array.isArray(format)) return format;
  throw new IoFormatError('the format is not a string, binary or atom');
}

/**
 * Format `args` by `format`, exactly as erl's `io_lib:format(Format, Args)` (flattened).
 *
 * @param format A charlist, binary (its bytes are Latin-1 characters, as in erl) or atom; a JS
 *   string is taken as its characters.
 * @param args The argument list.
 * @throws IoFormatError where erl raises badarg (or where the text would not be valid Unicode).
 */
export function ioFormat(format: Term | string, args: Term, options: IoFormatOptions = {}): string {
  if (!Array.isArray(args)) throw new IoFormatError('the arguments are not a list');
  return new Formatter(formatItems(format), args, options.otp ?? 29).run();
}

class Formatter {
  private out = '';
  /** Where the next character goes, 0-based, as io_lib_format's indentation counts. */
  private column = 0;
  private next = 0;
  private at = 0;

  constructor(
    private readonly fmt: Array<number | Term>,
    private readonly args: Term[],
    private readonly otp: number,
  ) {}

  run(): string {
    while (this.at < this.fmt.length) {
      const item = this.fmt[this.at++];
      if (item === 0x7e) this.control();
      else if (typeof item === 'number') {
        if (!isCodePoint(item)) throw new IoFormatError(`bad character ${item} in the format`);
        this.emit(String.fromCodePoint(item));
      } else {
        const text = charsOf(item, 'unicode');
        if (text === undefined) throw new IoFormatError('bad characters in the format');
        this.emit(text);
      }
    }
    if (this.next !== this.args.length) throw new IoFormatError('more arguments than control sequences');
    return this.out;
  }

  private emit(text: string): void {
    this.out += text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.column = 0;
      else if (c === 0x09) this.column = (Math.floor(this.column / 8) + 1) * 8;
      else if (c < 0xdc00 || c > 0xdfff) this.column++; // a low surrogate ends a character already counted
    }
  }

  private arg(): Term {
    if (this.next >= this.args.length) throw new IoFormatError('too few arguments');
    return this.args[this.next++];
  }

  private peek(): number | Term | undefined {
    return this.fmt[this.at];
  }

  /** A field value: `*` (an integer argument), digits, or nothing. */
  private fieldValue(): number | undefined {
    const c = this.peek();
    if (c === 0x2a && isInteger(this.args[this.next])) {
      this.at++;
      return bounded(this.arg() as number | bigint);
    }
    if (typeof c !== 'number' || c < 0x30 || c > 0x39) return undefined;
    let n = 0;
    for (let d = this.peek(); typeof d === 'number' && d >= 0x30 && d <= 0x39; d = this.peek()) {
      n = n * 10 + (d - 0x30);
      if (n > MAX_FIELD) throw new IoFormatError(`field ${n} out of range`);
      this.at++;
    }
    return n;
  }

  private spec(): Spec {
    const minus = this.peek() === 0x2d;
    if (minus) this.at++;
    let width = this.fieldValue();
    if (minus) {
      if (width === undefined) throw new IoFormatError('- without a field width');
      width = -width;
    }
    let precision: number | undefined;
    if (this.peek() === 0x2e) {
      this.at++;
      precision = this.fieldValue();
    }
    let pad: Term = 0x20;
    if (this.peek() === 0x2e && this.at + 1 < this.fmt.length) {
      this.at++;
      if (this.peek() === 0x2a && this.next < this.args.length) {
        this.at++;
        pad = this.arg();
      } else {
        pad = this.fmt[this.at++];
      }
    }
    const spec: Spec = {
      width: width === undefined ? undefined : Math.abs(width),
      left: width !== undefined && width < 0,
      precision,
      pad,
      unicode: false,
      strings: true,
      mapsOrder: undefined,
    };
    for (;;) {
      const m = this.peek();
      if (m === 0x74) spec.unicode = true;
      else if (m === 0x6c) spec.strings = false;
      else if (m === 0x6b && this.otp >= 26) spec.mapsOrder = 'ordered';
      else if (m === 0x4b && this.otp >= 26 && this.next < this.args.length) spec.mapsOrder = this.mapsOrder(this.arg());
      else break;
      this.at++;
    }
    return spec;
  }

  /**
   * `~K`'s argument. erl takes any term here and uses it only when a map is printed; a comparison
   * fun cannot run in this node (it is code of another), so maps then print in the default order.
   */
  private mapsOrder(order: Term): 'ordered' | 'reversed' | undefined {
    const name = atomName(order);
    return name === 'ordered' || name === 'reversed' ? name : undefined;
  }

  private control(): void {
    const spec = this.spec();
    const c = this.fmt[this.at++];
    switch (c) {
      case 0x77: // ~w
        return this.emit(this.term(this.write(this.arg(), -1, spec), spec));
      case 0x57: {
        // ~W
        const [term, depth] = [this.arg(), this.arg()];
        if (!isInteger(depth)) throw new IoFormatError('~W takes an integer depth');
        return this.emit(this.term(this.write(term, Number(depth), spec), spec));
      }
      case 0x70: // ~p
        return this.emit(this.print(this.arg(), -1, spec));
      case 0x50: {
        // ~P
        const [term, depth] = [this.arg(), this.arg()];
        if (!isInteger(depth)) throw new IoFormatError('~P takes an integer depth');
        return this.emit(this.print(term, Number(depth), spec));
      }
      case 0x73: // ~s
        return this.emit(this.string(this.arg(), spec));
      case 0x65:
      case 0x66:
      case 0x67:
        return this.emit(this.float(c, this.arg(), spec));
      case 0x62:
      case 0x42:
        return this.emit(this.integer(this.arg(), spec, '', c === 0x62));
      case 0x78:
      case 0x58: {
        const [n, prefix] = [this.arg(), this.arg()];
        const name = atomName(prefix);
        const text = name ?? (isDeepCharList(prefix) ? charsOf(prefix, 'unicode') : undefined);
        if (text === undefined) throw new IoFormatError('~x takes an atom or a character list as prefix');
        return this.emit(this.integer(n, spec, text, c === 0x78));
      }
      case 0x2b:
      case 0x23:
        return this.emit(this.integer(this.arg(), spec, `${base(spec)}#`, c === 0x2b));
      case 0x63: {
        // ~c
        const n = this.arg();
        if (!isInteger(n)) throw new IoFormatError('~c takes an integer');
        const code = spec.unicode ? n : Number(BigInt(n) & 255n);
        if (typeof code !== 'number' || !isCodePoint(code)) throw new IoFormatError(`~tc of ${n}: not a character`);
        return this.emit(this.char(String.fromCodePoint(code), spec));
      }
      case 0x7e:
        return this.emit(this.char('~', spec));
      case 0x6e:
        if (spec.width === undefined) return this.emit('\n');
        if (spec.left) throw new IoFormatError('~n cannot be left adjusted');
        return this.emit('\n'.repeat(spec.width));
      case 0x69:
        this.arg();
        return;
      default:
        throw new IoFormatError(c === undefined ? 'the format ends in a control sequence' : 'unknown control sequence');
    }
  }

  /** `count` pad characters (the pad may be any chardata, as erl only repeats it). */
  private pad(spec: Spec, count: number): string {
    if (count === 0) return '';
    const { pad } = spec;
    const text = typeof pad === 'number' ? (isCodePoint(pad) ? String.fromCodePoint(pad) : undefined) : charsOf(pad, 'unicode');
    if (text === undefined) throw new IoFormatError('bad pad character');
    return text.repeat(count);
  }

  private adjust(data: string, padding: string, spec: Spec): string {
    return spec.left ? data + padding : padding + data;
  }

  /** io_lib_format's term/5: `text` in the field, or stars when it does not fit. */
  private term(text: string, spec: Spec, unicode = spec.unicode): string {
    const { width, precision } = spec;
    if (width === undefined && precision === undefined) return text;
    negativePrecision(spec);
    const field = (width ?? precision) as number;
    const length = unicode ? stringLength(text) : charsLength(text);
    const p = Math.min(length, precision === undefined ? field : Math.min(precision, field));
    if (length > p) return this.adjust('*'.repeat(p), this.pad(spec, field - p), spec);
    return this.adjust(text, this.pad(spec, field - length), spec);
  }

  private write(term: Term, depth: number, spec: Spec): string {
    const options: FormatOptions = { unicode: spec.unicode, otp: this.otp, depth, mapsOrder: spec.mapsOrder };
    return formatTerm(term, options);
  }

  /** `~p`: the field width is the line length, the precision the column the term starts at. */
  private print(term: Term, depth: number, spec: Spec): string {
    if (spec.left) throw new IoFormatError('~p cannot be left adjusted');
    const options: PrettyOptions = {
      lineLength: spec.width ?? 80,
      column: spec.precision ?? this.column + 1,
      depth,
      encoding: spec.unicode ? 'unicode' : 'latin1',
      strings: spec.strings,
      mapsOrder: spec.mapsOrder,
      otp: this.otp,
    };
    return prettyTerm(term, options);
  }

  /** `~s`: an atom, or a (deep) list of characters and binaries. */
  private string(arg: Term, spec: Spec): string {
    const name = atomName(arg);
    let text: string | undefined;
    if (name !== undefined) text = spec.unicode || isLatin1(name) ? name : undefined;
    else text = charsOf(arg, spec.unicode ? 'unicode-or-bytes' : 'latin1');
    if (text === undefined) throw new IoFormatError('~s takes an atom, a string or an iolist');
    const { width, precision } = spec;
    if (width === undefined && precision === undefined) return text;
    negativePrecision(spec);
    const length = charsLength(text);
    if (precision === undefined) return this.stringField(text, width as number, spec.left, length, spec);
    if (width === undefined) return this.stringField(text, precision, true, length, spec);
    if (width < precision) throw new IoFormatError('~s: the precision is larger than the field');
    if (width === precision) return this.stringField(text, width, spec.left, length, spec);
    const inner = length > precision ? this.truncate(text, precision, spec) : text + this.pad(spec, Math.max(0, precision - length));
    return this.adjust(inner, this.pad(spec, width - precision), spec);
  }

  /** The first `n` characters: grapheme clusters for `~ts`, code points for `~s` (so CR LF counts 2). */
  private truncate(text: string, n: number, spec: Spec): string {
    return spec.unicode ? sliceGraphemes(text, n) : text.slice(0, n);
  }

  private stringField(text: string, field: number, left: boolean, length: number, spec: Spec): string {
    if (length > field) return this.truncate(text, field, spec);
    const padding = this.pad(spec, field - length);
    return left ? text + padding : padding + text;
  }

  private float(c: number, arg: Term, spec: Spec): string {
    const x = floatValue(arg);
    if (x === undefined) throw new IoFormatError(`~${String.fromCharCode(c)} takes a float`);
    let style = String.fromCharCode(c);
    let precision = spec.precision ?? 6;
    if (style === 'g') {
      if (precision < 1) throw new IoFormatError('~g takes a precision of at least 1');
      ({ style, precision } = floatG(x, precision));
    }
    if (precision < (style === 'e' ? 2 : 1)) throw new IoFormatError(`~${style}: precision too small`);
    const text = style === 'e' ? floatE(x, precision) : floatF(x, precision);
    if (spec.width === undefined) return text;
    return this.term(text, { ...spec, precision: spec.width }, false);
  }

  /** `~b ~B ~x ~X ~# ~+`: in base P (10 by default), with `prefix` after the sign. */
  private integer(n: Term, spec: Spec, prefix: string, lowercase: boolean): string {
    if (!isInteger(n)) throw new IoFormatError('an integer control sequence takes an integer');
    const radix = base(spec);
    let digits = (n < 0 ? -BigInt(n) : BigInt(n)).toString(radix).toUpperCase();
    if (lowercase) digits = digits.toLowerCase();
    return this.term(`${n < 0 ? '-' : ''}${prefix}${digits}`, { ...spec, precision: undefined }, false);
  }

  /** `~c`, `~~`: the character repeated to the width or the precision. */
  private char(ch: string, spec: Spec): string {
    const { width, precision } = spec;
    negativePrecision(spec);
    if (precision === undefined) return width === undefined ? ch : ch.repeat(width);
    if (width === undefined) return ch.repeat(precision);
    if (width < precision) throw new IoFormatError('the precision is larger than the field');
    return this.adjust(ch.repeat(precision), this.pad(spec, width - precision), spec);
  }
}

/** The base of an integer control sequence: its precision, 2 to 36. */
function base(spec: Spec): number {
  const radix = spec.precision ?? 10;
  if (radix < 2 || radix > 36) throw new IoFormatError(`base ${radix} is not 2..36`);
  return radix;
}

/**
 * A negative precision (from `*`) fails where it is used: badarg for `~s`; for `~c`, `~~` and
 * `~w` erl loops until it runs out of memory, which is no behaviour to copy. `~p` takes it as a
 * column, the others ignore it or reject it as a base or a float precision.
 */
function negativePrecision(spec: Spec): void {
  if (spec.precision !== undefined && spec.precision < 0) throw new IoFormatError(`negative precision ${spec.precision}`);
}
