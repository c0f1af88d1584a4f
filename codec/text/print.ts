/**
 * Terms as Erlang text: what `io:format("~w", [T])` writes on OTP 25, without recursion (terms may
 * nest 100,000 deep).
 *
 * Pids, ports, references and local funs have no text erl can read back, and erl's own text for
 * them names the node by an index into a node table we cannot see. They print as erl's text with
 * that index replaced by the node's name and the missing fields appended, which
 * {@link parseTerm} reads back losslessly:
 *
 * | term                  | erl `~w`                    | here                                                        |
 * |-----------------------|-----------------------------|-------------------------------------------------------------|
 * | pid                   | `<0.80.0>`                  | `#Pid<a@host.80.0.Creation>`                                |
 * | port                  | `#Port<0.6>`                | `#Port<a@host.6.Creation>` (`…Creation.v4>` for V4_PORT_EXT) |
 * | reference             | `#Ref<0.3.2.1>`             | `#Ref<a@host.3.2.1.Creation>` (words most significant first)  |
 * | local fun             | `#Fun<m.OldIndex.OldUniq>`  | `#Fun<m.OldIndex.OldUniq>{Arity,Uniq,Index,Pid,Free}`       |
 * | external fun          | `fun m:f/1`                 | `fun m:f/1`                                                 |
 *
 * A local fun's tuple is `{Arity, <<Uniq>>, Index, Pid, [FreeVar, ...]}`, with a sixth element
 * `legacy` for a pre-R8 FUN_EXT fun. Node and module names are atoms, quoted as `~w` quotes them.
 *
 * Map keys print in Erlang term order (see `mapsOrder`), as OTP 25-27 keep a small map.
 */
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../terms';
import { ErlMap } from '../erlmap';
import { isReservedWord } from './lexer';

/** How to print. The defaults give OTP 25's `~w`. */
export interface FormatOptions {
  /**
   * Write atom characters beyond Latin-1 as themselves, like `~tw` (`'λ'`), instead of as
   * `\x{...}` escapes like `~w` (`'\x{3BB}'`).
   */
  unicode?: boolean;
  /**
   * The OTP release whose `~w` to imitate (default 25). From OTP 27 on `maybe` and `else` are
   * reserved words, so those atoms are quoted.
   */
  otp?: number;
  /**
   * `~W`'s depth (`io_lib:write(T, Depth)`): parts deeper than this print as `...`, and a list,
   * tuple, map or binary stops with `...` once its items have used the depth up. -1 (the
   * default) is no limit. The text with a depth is for people: parseTerm cannot read `...`.
   */
  depth?: number;
  /**
   * The order map keys print in: erl's `~k` (`ordered`, Erlang term order) or `~K` with
   * `reversed`. Without it keys print in term order too, which is how OTP 25-27 keep a small map;
   * OTP 28+ keep atom keys in atom-table order, which a peer cannot see.
   */
  mapsOrder?: 'ordered' | 'reversed';
}

/** A map's keys in the order `mapsOrder` asks for. */
export function keysInOrder(m: ErlMap, mapsOrder: FormatOptions['mapsOrder']): Term[] {
  const keys = m.sortedKeys();
  return mapsOrder === 'reversed' ? keys.reverse() : keys;
}

/**
 * The Erlang text of `term`: exactly what `io:format("~w", [T])` prints on OTP 25, except for
 * pids, ports, references and local funs (see the module notes), for maps of more than 32 keys,
 * which erl prints in hash order and this prints in map key order, and for external funs with
 * names beyond ASCII, whose UTF-8 bytes erl garbles (see formatFunAtom).
 *
 * @throws TypeError for a value that is not a term (or a float that is NaN or infinite).
 */
export function formatTerm(term: Term, options: FormatOptions = {}): string {
  const style: AtomStyle = { unicode: options.unicode === true, maybeReserved: (options.otp ?? 25) >= 27 };
  const depth = options.depth ?? -1;
  if (depth === 0) return '...';
  return new Printer(style, options.mapsOrder).print(term, depth);
}

/** How atoms are written: `~w` or `~tw`, and which release's reserved words are quoted. */
export interface AtomStyle {
  unicode: boolean;
  maybeReserved: boolean;
}

/** A container being printed: its items, the next one to print, and what goes between them. */
interface Frame {
  items: Term[];
  next: number;
  close: string;
  /** Maps alternate keys and values: `k => v,k => v`. */
  pairs: boolean;
  /** The index of an improper list's tail, printed after `|`; -1 otherwise. */
  tailAt: number;
  /** The container's depth (io_lib:write's D), -1 for no limit. */
  depth: number;
}

class Printer {
  private out = '';
  private readonly stack: Frame[] = [];

  constructor(
    private readonly style: AtomStyle,
    private readonly mapsOrder: FormatOptions['mapsOrder'],
  ) {}

  print(term: Term, depth: number): string {
    let current = term;
    let currentDepth = depth;
    for (;;) {
      this.open(current, currentDepth);
      let next: Term | undefined;
      while (next === undefined && this.stack.length > 0) {
        const frame = this.stack[this.stack.length - 1];
        if (frame.depth > 0 && this.outOfDepth(frame)) {
          this.out += frame.close;
          this.stack.pop();
        } else if (frame.next < frame.items.length) {
          const i = frame.next++;
          if (i > 0) this.out += frame.pairs ? (i & 1 ? ' => ' : ',') : i === frame.tailAt ? '|' : ',';
          const item = frame.items[i];
          // Lists of small integers (byte lists, charlists) are common: print them in place.
          if (typeof item === 'number' && Number.isInteger(item)) this.out += item;
          else next = item;
          // io_lib:write: item i of a list or tuple gets D - 1 - i; both halves of a map pair D - 1.
          currentDepth = frame.depth < 0 ? -1 : frame.pairs ? frame.depth - 1 : frame.depth - 1 - i;
        } else {
          this.out += frame.close;
          this.stack.pop();
        }
      }
      if (next === undefined) return this.out;
      current = next;
    }
  }

  /**
   * Whether the depth is used up before the frame's next item: io_lib:write prints `...` where
   * the depth left reaches 1 (`|...` in a list; in a map even after its last pair).
   */
  private outOfDepth(frame: Frame): boolean {
    const i = frame.next;
    if (frame.pairs) {
      if (i === 0 || i & 1 || frame.depth - i / 2 !== 1) return false;
      this.out += ',...';
      return true;
    }
    if (i === 0 || i >= frame.items.length || frame.depth - i !== 1) return false;
    this.out += frame.close === ']' ? '|...' : ',...';
    return true;
  }

  /** Print a scalar whole, or the opening of a container (pushing a frame for its items). */
  private open(t: Term, depth: number): void {
    switch (typeof t) {
      case 'number':
        this.out += Number.isInteger(t) ? String(t) : formatFloat(t);
        return;
      case 'bigint':
        this.out += t.toString();
        return;
      case 'boolean':
        this.out += t ? 'true' : 'false';
        return;
      case 'string':
        this.out += formatBytes(Buffer.from(t, 'utf8'), 8, depth);
        return;
    }
    if (depth === 1 && (Array.isArray(t) || t instanceof ImproperList || t instanceof Tuple || t instanceof ErlMap)) {
      this.out += Array.isArray(t)
        ? t.length === 0
          ? '[]'
          : '[...]'
        : t instanceof ImproperList
          ? '[...]'
          : t instanceof Tuple
            ? t.length === 0
              ? '{}'
              : '{...}'
            : '#{}';
      return;
    }
    if (t instanceof Atom) this.out += formatAtom(t.name, this.style);
    else if (Array.isArray(t)) this.container('[', t, ']', -1, depth);
    else if (t instanceof Tuple) this.container('{', t.elements, '}', -1, depth);
    else if (Buffer.isBuffer(t)) this.out += formatBytes(t, 8, depth);
    else if (t instanceof ErlFloat) this.out += formatFloat(t.value);
    else if (t instanceof ErlMap) this.map(t, depth);
    else if (t instanceof ImproperList) this.improper(t, depth);
    else if (t instanceof BitBinary) this.out += formatBytes(t.buffer, t.bits, depth);
    else if (t instanceof Pid) this.out += `#Pid<${this.atom(t.node)}.${t.id}.${t.serial}.${t.creation}>`;
    else if (t instanceof Port) this.out += `#Port<${this.atom(t.node)}.${t.id}.${t.creation}${t.v4 ? '.v4' : ''}>`;
    else if (t instanceof Reference) this.out += `#Ref<${this.atom(t.node)}.${t.ids.slice().reverse().join('.')}.${t.creation}>`;
    else if (t instanceof ExportFun) this.out += `fun ${formatFunAtom(t.module.name)}:${formatFunAtom(t.function.name)}/${t.arity}`;
    else if (t instanceof Fun) this.fun(t);
    else throw new TypeError(`not an Erlang term: ${Object.prototype.toString.call(t)}`);
  }

  private atom(a: Atom): string {
    return formatAtom(a.name, this.style);
  }

  private container(open: string, items: Term[], close: string, tailAt: number, depth: number): void {
    this.out += open;
    if (items.length === 0) this.out += close;
    else this.stack.push({ items, next: 0, close, pairs: false, tailAt, depth });
  }

  /** `[a|[b|c]]` is the list `[a,b|c]`: a tail that is itself a list continues the list. */
  private improper(list: ImproperList, depth: number): void {
    const items = list.elements.slice();
    let tail = list.tail;
    while (tail instanceof ImproperList) {
      for (const e of tail.elements) items.push(e);
      tail = tail.tail;
    }
    if (Array.isArray(tail)) {
      for (const e of tail) items.push(e);
      this.container('[', items, ']', -1, depth);
    } else {
      items.push(tail);
      this.container('[', items, ']', items.length - 1, depth);
    }
  }

  private map(m: ErlMap, depth: number): void {
    const items: Term[] = [];
    for (const k of keysInOrder(m, this.mapsOrder)) items.push(k, m.get(k) as Term);
    this.out += '#{';
    if (items.length === 0) this.out += '}';
    else this.stack.push({ items, next: 0, close: '}', pairs: true, tailAt: -1, depth });
  }

  private fun(f: Fun): void {
    this.out += `#Fun<${this.atom(f.module)}.${f.oldIndex}.${f.oldUniq}>`;
    const fields: Term[] = [f.arity, f.uniq, f.index, f.pid, f.free];
    if (f.legacy) fields.push(Atom.of('legacy'));
    this.container('{', fields, '}', -1, -1);
  }
}

/**
 * `<<1,2,3>>`, and a last byte of which only `bits` are used as `Value:Bits`; with a depth, `...`
 * where the depth left reaches 1 (io_lib:write_binary).
 */
function formatBytes(buf: Buffer, bits: number, depth = -1): string {
  const full = bits >= 8 || buf.length === 0 ? buf.length : buf.length - 1;
  const parts: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    if (depth - i === 1) {
      parts.push('...');
      break;
    }
    parts.push(i < full ? String(buf[i]) : `${buf[full] >> (8 - bits)}:${bits}`);
  }
  return `<<${parts.join(',')}>>`;
}

/** Whether `c` may follow the first character of an unquoted atom (io_lib's name_char). */
function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x40 ||
    (c >= 0xdf && c <= 0xff && c !== 0xf7) ||
    (c >= 0xc0 && c <= 0xde && c !== 0xd7)
  );
}

/** io_lib:quote_atom: quoted unless it starts with a lowercase (Latin-1) letter and is all name characters. */
function needsQuotes(name: string, style: AtomStyle): boolean {
  if (isReservedWord(name) || (style.maybeReserved && (name === 'maybe' || name === 'else'))) return true;
  const first = name.charCodeAt(0);
  if (!((first >= 0x61 && first <= 0x7a) || (first >= 0xdf && first <= 0xff && first !== 0xf7))) return true;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return true;
  return false;
}

/** How io_lib writes one character of a quoted atom (string_char/4). */
function quotedChar(c: number, unicode: boolean): string {
  if (c === 0x27) return "\\'";
  if (c === 0x5c) return '\\\\';
  if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && (c <= 0xff || unicode))) return String.fromCodePoint(c);
  if (c > 0xff) return `\\x{${c.toString(16).toUpperCase()}}`;
  switch (c) {
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x1b:
      return '\\e';
    case 0x7f:
      return '\\d';
  }
  return '\\' + c.toString(8).padStart(3, '0');
}

/** An atom as io_lib writes it: bare when it can be, else quoted with escapes. */
export function formatAtom(name: string, style: AtomStyle): string {
  if (!needsQuotes(name, style)) return name;
  let s = "'";
  for (const ch of name) s += quotedChar(ch.codePointAt(0) as number, style.unicode);
  return s + "'";
}

/**
 * An atom as the runtime system writes it in `fun M:F/A` (erlang:fun_to_list), which `~w` uses for
 * external funs: quoted unless it is a lowercase Latin-1 letter followed by Latin-1 letters, digits
 * and `_` (so `'a@b'` is quoted but reserved words are not), with octal escapes for control
 * characters and every other character as itself. (erl itself writes each UTF-8 byte of a
 * character beyond ASCII as one Latin-1 character, `fun 'Î»':f/0` for `fun 'λ':f/0`, which no
 * reader can undo; this writes the characters, so that the text reads back as the same fun.)
 */
export function formatFunAtom(name: string): string {
  const codes = Array.from(name, (ch) => ch.codePointAt(0) as number);
  const latin1Letter = (c: number): boolean => c >= 0xc0 && c <= 0xff && c !== 0xd7 && c !== 0xf7;
  const first = codes[0];
  const plain =
    codes.length > 0 &&
    ((first >= 0x61 && first <= 0x7a) || (first >= 0xdf && latin1Letter(first))) &&
    codes.every((c) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || latin1Letter(c));
  if (plain) return name;
  let s = "'";
  for (const c of codes) {
    const escape = FUN_ATOM_ESCAPES.get(c);
    if (escape !== undefined) s += escape;
    else if (c < 0x20 || (c >= 0x80 && c < 0xa0)) s += '\\' + c.toString(8).padStart(3, '0');
    else s += String.fromCodePoint(c);
  }
  return s + "'";
}

const FUN_ATOM_ESCAPES = new Map<number, string>([
  [0x27, "\\'"],
  [0x5c, '\\\\'],
  [0x0a, '\\n'],
  [0x0c, '\\f'],
  [0x09, '\\t'],
  [0x0d, '\\r'],
  [0x08, '\\b'],
  [0x0b, '\\v'],
]);

/**
 * A float as OTP's `float_to_list(F, [short])` writes it (which `~w` uses): the shortest digits
 * that read back as the same float, in fixed or scientific notation by the rules of OTP's Ryu
 * port (erts/emulator/ryu/to_chars.h), e.g. `100.0` but `1.0e3`, `0.0001` but `1.0e-5`.
 */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`Erlang has no float ${value}`);
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(value));
  const length = digits.length;
  const sciExponent = exponent + length - 1;
  const lower = length === 1 ? -4 : -(length + 2);
  const upper = length === 1 || sciExponent >= 10 ? 2 : 1;
  if (exponent >= lower && exponent <= upper && !beyondExactIntegers(digits, exponent)) {
    const whole = length + exponent;
    if (exponent >= 0) return `${sign}${digits}${'0'.repeat(exponent)}.0`;
    if (whole > 0) return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
    return `${sign}0.${'0'.repeat(-whole)}${digits}`;
  }
  return `${sign}${digits[0]}.${length > 1 ? digits.slice(1) : '0'}e${sciExponent}`;
}

/** OTP prints integral floats from 2^53 on in scientific notation, where fixed would read as exact. */
function beyondExactIntegers(digits: string, exponent: number): boolean {
  if (exponent < 0 || exponent > 2) return false;
  const output = BigInt(digits);
  if (exponent === 0) return output >= 1n << 53n;
  if (exponent === 1) return output > (1n << 52n) / 5n;
  return output > (1n << 51n) / 25n;
}

/**
 * The shortest round-trip decimal digits of a positive finite `value` (no leading or trailing
 * zeros) and the power of ten of the last one. JS's number-to-string picks the same digits as Ryu:
 * the fewest that read back exactly, the closest of those to the value.
 */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const text = String(value);
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const power = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? 0 : mantissa.length - dot - 1;
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  let exponent = power - fraction;
  digits = digits.replace(/^0+/, '');
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  return { digits: trimmed, exponent };
}
