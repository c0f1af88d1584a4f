/**
 * Terms as `io_lib:format("~p", [T])` prints them (io_lib_pretty on OTP 25): strings as strings,
 * printable binaries as `<<"...">>`, line breaks and indentation to fit the line length, `...`
 * past a depth. The rules are io_lib_pretty's, measured in characters (code points), with its
 * quirks kept: the width budget is the whole term's length, a tagged tuple's fields line up after
 * the tag, a list's tail goes on a line of its own, a map value that does not fit goes four
 * columns in.
 *
 * Pids, ports, references and funs: erl writes a pid as `<0.80.0>` when it is the printing node's
 * and as `<9591.80.0>` when not, where 9591 is an index into that node's table of peers: it means
 * nothing outside that node. So a pid, port or reference of `localNode` prints as erl prints it
 * (`<0.80.0>`, `#Port<0.6>`, `#Ref<0.3.2.1>`), and any other names its node instead of the index
 * (`<rabbit@vm.80.0>`, `#Port<rabbit@vm.6>`, `#Ref<rabbit@vm.3.2.1>`): readable, and the node is
 * the one fact a reader needs. The creation is left out (the `~w` form of {@link formatTerm}
 * keeps it, losslessly). A local fun prints as erl's `#Fun<m.0.123>`, an external one as
 * `fun m:f/1`.
 *
 * Where this differs from erl:
 * - maps of more than 32 keys: erl prints them in hash order, this in map key order (as the small
 *   maps of OTP 25, and OTP 26+'s `~kp`); OTP 26+ also print small maps in an internal order;
 * - terms nesting deeper than {@link MAX_PRETTY_NESTING} containers (after `depth`) print on one
 *   line as {@link formatTerm} does (`~w`), because laying them out would recurse that deep (and
 *   erl's own layout of such a term is quadratic in size);
 * - records are not known, so they print as tuples (as in `io_lib:format`, which knows none).
 *
 * The `otp` option picks a release's differences: from OTP 27 `maybe` and `else` are quoted; OTP 29
 * tells a UTF-8 binary from a Latin-1 one differently under `~tp` (see scanUtf8; taken here to
 * start with OTP 28, which was not seen).
 */
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, setInspectText, Term, Tuple } from '../terms';
import { ErlMap } from '../erlmap';
import { AtomStyle, formatAtom, formatFloat, formatFunAtom, formatTerm, FormatOptions, keysInOrder } from './print';

/** How to lay a term out. The defaults give OTP 25's `~tp` at column 1. */
export interface PrettyOptions extends FormatOptions {
  /** io_lib_pretty's line length, default 80. */
  lineLength?: number;
  /** The 1-based column the term starts at (continuation lines are indented to it), default 1. */
  column?: number;
  /** `~P`'s depth: deeper parts print as `...`; -1 (the default) is no limit. */
  depth?: number;
  /**
   * `latin1` is `~p` (atom characters beyond Latin-1 as `\x{...}`), `unicode` is `~tp` (binaries
   * of UTF-8 text as `<<"..."/utf8>>`). Default `unicode`, as the shell; `unicode: false` from
   * {@link FormatOptions} means `latin1` when this is not given.
   */
  encoding?: 'latin1' | 'unicode';
  /** This node's name: its pids, ports and references print as erl prints local ones (`<0.80.0>`). */
  localNode?: string;
  /**
   * Which characters make a list a string: erl's `+pc` flag (`io:printable_range()`), default
   * `latin1` as erl's. With `unicode`, `~tp` prints `[955]` as `"λ"` and `<<206,187>>` as
   * `<<"λ"/utf8>>`.
   */
  printableRange?: 'latin1' | 'unicode';
  /** `~lp` is `false`: lists of characters and printable binaries print as numbers. Default true. */
  strings?: boolean;
}

/** The deepest nesting laid out over lines; deeper terms print on one line (see the module notes). */
export const MAX_PRETTY_NESTING = 1000;

/**
 * The text of `term` as `io_lib:format("~tp", [T])` prints it on OTP 25 (or `~p`, `~P`, `~tP`
 * and a start column, by `options`), except as the module notes say.
 *
 * @throws TypeError for a value that is not a term (or a float that is NaN or infinite).
 */
export function prettyTerm(term: Term, options: PrettyOptions = {}): string {
  const depth = options.depth ?? -1;
  if (depth === 0) return '...';
  const encoding = options.encoding ?? (options.unicode === false ? 'latin1' : 'unicode');
  const style: AtomStyle = { unicode: encoding === 'unicode', maybeReserved: (options.otp ?? 25) >= 27 };
  const lineLength = options.lineLength ?? 80;
  const column = Math.max(1, options.column ?? 1);
  if (!isContainer(term)) return new Measure(style, encoding, options).scalar(term);
  if (nestingExceeds(term, depth, MAX_PRETTY_NESTING)) {
    return formatTerm(term, { unicode: style.unicode, otp: options.otp, depth, mapsOrder: options.mapsOrder });
  }
  const root = new Measure(style, encoding, options).node(term, depth);
  const m = root.len;
  if (lineLength === 0 || root.len < lineLength - column) return write(root);
  const layout = new Layout(lineLength, m, indentFor(root, column, lineLength, m));
  return layout.pp(root, column, column - 1, 0, 0);
}

/**
 * A term's text for a log line about what a peer sent: {@link prettyTerm} on one line (strings
 * as strings, pids as `<node.80.0>`), cut after `maxLength` characters (then `...`), so a huge
 * or hostile term cannot flood the log.
 */
export function briefTerm(term: Term, maxLength = 200): string {
  const text = prettyTerm(term, { lineLength: 0 });
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}

// console.log(term) shows its ~tp text.
setInspectText((term) => prettyTerm(term));

/** Containers are laid out; everything else is written whole (io_lib_pretty:print/6). */
function isContainer(t: Term): boolean {
  return (
    Array.isArray(t) ||
    t instanceof Tuple ||
    t instanceof ErlMap ||
    t instanceof ImproperList ||
    Buffer.isBuffer(t) ||
    t instanceof BitBinary ||
    typeof t === 'string'
  );
}

function isNested(t: Term): boolean {
  return Array.isArray(t) || t instanceof Tuple || t instanceof ErlMap || t instanceof ImproperList;
}

/** Whether containers nest more than `limit` deep within the first `depth` levels, found without recursion. */
function nestingExceeds(term: Term, depth: number, limit: number): boolean {
  if (depth >= 0 && depth <= limit) return false;
  const stack: Array<[Term, number]> = [[term, 1]];
  while (stack.length > 0) {
    const [t, level] = stack.pop() as [Term, number];
    if (level > limit) return true;
    let children: Term[] | undefined;
    if (Array.isArray(t)) children = t;
    else if (t instanceof Tuple) children = t.elements;
    else if (t instanceof ImproperList) children = [...t.elements, t.tail];
    else if (t instanceof ErlMap) children = [...t.keysView(), ...t.valuesView()];
    if (children) for (const c of children) if (isNested(c)) stack.push([c, level + 1]);
  }
  return false;
}

/**
 * io_lib_pretty's intermediate form: each part of the term with its one-line length in
 * characters. `text` is written as is (what io_lib_pretty keeps as a character list: the parts it
 * may put several of on one line); the others are laid out.
 */
type Node =
  | { kind: 'text'; len: number; text: string }
  | { kind: 'bin'; len: number; parts: string[] }
  | { kind: 'list'; len: number; items: Node[]; end: End }
  | { kind: 'tuple'; len: number; items: Node[]; end: End; tagged: boolean }
  | { kind: 'map'; len: number; items: Node[]; end: End }
  | { kind: 'pair'; len: number; key: Node; value: Node };

/** After a container's items: nothing, `...` (depth reached), or an improper list's tail. */
type End = null | 'dots' | Node;

function text(s: string): Node {
  return { kind: 'text', len: charLength(s), text: s };
}

/** The length in characters (code points), as io_lib:chars_length counts. */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** io_lib_pretty:print_length: the intermediate form of a term, with depth applied. */
class Measure {
  private readonly latin1: boolean;
  private readonly unicodeRange: boolean;
  private readonly localNode: string | undefined;
  /** Whether binaries are read as UTF-8 the way of OTP 28+ (see scanUtf8). */
  private readonly scanFirst: boolean;
  private readonly strings: boolean;
  private readonly mapsOrder: PrettyOptions['mapsOrder'];

  constructor(
    private readonly style: AtomStyle,
    encoding: 'latin1' | 'unicode',
    options: PrettyOptions,
  ) {
    this.latin1 = encoding === 'latin1';
    this.unicodeRange = options.printableRange === 'unicode';
    this.localNode = options.localNode;
    this.scanFirst = (options.otp ?? 25) >= 28;
    this.strings = options.strings !== false;
    this.mapsOrder = options.mapsOrder;
  }

  node(t: Term, depth: number): Node {
    if (Array.isArray(t)) {
      if (t.length === 0) return text('[]');
      if (depth !== 1 && this.strings && this.printableList(t)) return text(writeString(charlistText(t as number[])));
      return this.list(t, null, depth);
    }
    if (t instanceof ImproperList) {
      const items = t.elements.slice();
      let tail = t.tail;
      while (tail instanceof ImproperList) {
        for (const e of tail.elements) items.push(e);
        tail = tail.tail;
      }
      if (Array.isArray(tail)) return this.node(items.concat(tail), depth);
      return this.list(items, tail, depth);
    }
    if (t instanceof Tuple) {
      if (t.elements.length === 0) return text('{}');
      if (depth === 1) return text('{...}');
      const { items, end, len } = this.items(t.elements, depth, 2);
      const first = t.elements[0];
      const tagged = (first instanceof Atom || typeof first === 'boolean') && t.elements.length > 1;
      return { kind: 'tuple', len, items, end, tagged };
    }
    if (t instanceof ErlMap) return this.map(t, depth);
    if (typeof t === 'string') return this.binary(Buffer.from(t, 'utf8'), 8, depth);
    if (Buffer.isBuffer(t)) return this.binary(t, 8, depth);
    if (t instanceof BitBinary) return this.binary(t.buffer, t.bits, depth);
    return text(this.scalar(t));
  }

  /** A list's items (and improper tail) at `depth`: each item one level deeper, and one fewer left. */
  private list(elements: Term[], tail: Term | null, depth: number): Node {
    const { items, end, len } = this.items(elements, depth, 2, tail);
    return { kind: 'list', len, items, end };
  }

  /**
   * io_lib_pretty's print_length_list1 and print_length_tuple1: item i is measured at depth
   * `depth - 1 - i`, and where the depth left reaches 1 the rest is `...`. `brackets` is the
   * length of the opening and closing brackets.
   */
  private items(elements: Term[], depth: number, brackets: number, tail: Term | null = null): { items: Node[]; end: End; len: number } {
    const items: Node[] = [];
    let end: End = null;
    let d = depth;
    for (const e of elements) {
      if (d === 1) {
        end = 'dots';
        break;
      }
      items.push(this.node(e, d - 1));
      d--;
    }
    if (end === null && tail !== null) end = d === 1 ? 'dots' : this.node(tail, d - 1);
    return { items, end, len: listLength(items, end, brackets) };
  }

  /** A map: each pair at one depth less than the map, and one pair fewer left per pair. */
  private map(m: ErlMap, depth: number): Node {
    if (m.size === 0) return text('#{}');
    if (depth === 1) return text('#{...}');
    const items: Node[] = [];
    let end: End = null;
    let d = depth;
    for (const k of keysInOrder(m, this.mapsOrder)) {
      if (d === 1) {
        end = 'dots';
        break;
      }
      const key = this.node(k, depth - 1);
      const value = this.node(m.get(k) as Term, depth - 1);
      items.push({ kind: 'pair', len: key.len + 4 + value.len, key, value });
      d--;
    }
    return { kind: 'map', len: listLength(items, end, 3), items, end };
  }

  /** A binary or bitstring: as text when printable, else its bytes (io_lib:write_binary). */
  private binary(buf: Buffer, bits: number, depth: number): Node {
    if (buf.length === 0) return text('<<>>');
    if (depth === 1) return text('<<...>>');
    if (bits === 8 && this.strings) {
      const printable = this.printableBinary(buf, depth - 1);
      if (printable !== null) {
        const s = writeString(printable.text);
        return text(`<<${s}${printable.utf8 ? '/utf8' : ''}${printable.prefix ? '...' : ''}>>`);
      }
    }
    const parts: string[] = [];
    const full = bits === 8 ? buf.length : buf.length - 1;
    let d = depth;
    for (let i = 0; i < buf.length; i++, d--) {
      if (d === 1) {
        parts.push('...');
        break;
      }
      parts.push(i < full ? String(buf[i]) : `${buf[i] >> (8 - bits)}:${bits}`);
    }
    const len = 4 + parts.reduce((n, p) => n + p.length, 0) + parts.length - 1;
    return { kind: 'bin', len, parts };
  }

  /**
   * io_lib_pretty's printable_bin0: the text of a binary that prints as a string (all of it, or
   * with a depth a long enough printable prefix), whether it needs `/utf8`; null when it prints
   * as bytes. A depth looks at the first 4 bytes per level only.
   */
  private printableBinary(buf: Buffer, depth: number): { text: string; utf8: boolean; prefix: boolean } | null {
    const len = depth >= 0 ? Math.min(4 * depth, buf.length) : buf.length;
    if (len === 0) return null;
    if (!this.latin1) {
      const scanned = this.scanUtf8(buf, len);
      if (scanned !== null) {
        const { chars, at } = scanned;
        const text = buf.toString('utf8', 0, at);
        // Stopped at the end of the binary, at a character that is not printable, or after `len`.
        if (at === buf.length) return { text, utf8: at !== chars, prefix: false };
        if (depth > 0 && chars >= depth) return { text, utf8: at !== chars, prefix: true };
        return null;
      }
    }
    // Latin-1: the first byte that is not printable, within the first `len`.
    let bad = 0;
    while (bad < len && isPrintableLatin1(buf[bad])) bad++;
    const text = buf.toString('latin1', 0, bad);
    if (bad === buf.length) return { text, utf8: false, prefix: false };
    if (depth > 0 && bad >= depth) return { text, utf8: false, prefix: true };
    return null;
  }

  /**
   * How many printable characters a binary read as UTF-8 starts with (at most `len`), and the
   * offset after them; null when the binary is not UTF-8, which is then tried as Latin-1. OTP 25
   * and 27 first check that the first `len` characters are valid; OTP 29 (io_lib_pretty's
   * printable_unicode_bin) stops at the first character that is not printable, so a binary that
   * turns invalid only after it prints as bytes.
   */
  private scanUtf8(buf: Buffer, len: number): { chars: number; at: number } | null {
    if (!this.scanFirst) {
      for (let at = 0, n = 0; at < buf.length && n < len; n++) {
        const size = utf8At(buf, at).size;
        if (size === 0) return null;
        at += size;
      }
    }
    let at = 0;
    let chars = 0;
    while (at < buf.length) {
      if (chars === len && !this.scanFirst) break;
      const { code, size } = utf8At(buf, at);
      if (size === 0) return null;
      if (chars === len || !isPrintableChar(code, this.unicodeRange)) break;
      at += size;
      chars++;
    }
    return { chars, at };
  }

  /** io_lib:printable_latin1_list, or printable_unicode_list for `~tp` with `+pc unicode`. */
  private printableList(list: Term[]): boolean {
    const unicode = !this.latin1 && this.unicodeRange;
    for (const c of list) {
      if (typeof c !== 'number' || !Number.isInteger(c) || !isPrintableChar(c, unicode)) return false;
    }
    return true;
  }

  /** What io_lib:write writes for a term that is not laid out. */
  scalar(t: Term): string {
    switch (typeof t) {
      case 'number':
        return Number.isInteger(t) ? String(t) : formatFloat(t);
      case 'bigint':
        return t.toString();
      case 'boolean':
        return t ? 'true' : 'false';
    }
    if (t instanceof Atom) return formatAtom(t.name, this.style);
    if (t instanceof ErlFloat) return formatFloat(t.value);
    if (t instanceof Pid) return `<${this.nodeName(t.node)}.${t.id}.${t.serial}>`;
    if (t instanceof Port) return `#Port<${this.nodeName(t.node)}.${t.id}>`;
    if (t instanceof Reference) return `#Ref<${this.nodeName(t.node)}.${t.ids.slice().reverse().join('.')}>`;
    if (t instanceof ExportFun) return `fun ${formatFunAtom(t.module.name)}:${formatFunAtom(t.function.name)}/${t.arity}`;
    if (t instanceof Fun) return `#Fun<${formatAtom(t.module.name, this.style)}.${t.oldIndex}.${t.oldUniq}>`;
    throw new TypeError(`not an Erlang term: ${Object.prototype.toString.call(t)}`);
  }

  /** `0` for the local node, else the node's name (see the module notes). */
  private nodeName(node: Atom): string {
    return node.name === this.localNode ? '0' : formatAtom(node.name, this.style);
  }
}

/** io_lib_pretty's list_length: brackets, items, a separator between each, and the end. */
function listLength(items: Node[], end: End, brackets: number): number {
  let len = brackets;
  for (const n of items) len += n.len;
  if (items.length > 1) len += items.length - 1;
  if (end !== null) len += (items.length > 0 ? 1 : 0) + (end === 'dots' ? 3 : end.len);
  return len;
}

/** The characters a string may hold to print as one: io_lib's printable lists, by range. */
function isPrintableChar(c: number, unicode: boolean): boolean {
  if (c >= 0x20 && c <= 0x7e) return true;
  if (c >= 0xa0 && c <= 0xff) return true;
  if (unicode && c > 0xff && (c < 0xd800 || (c > 0xdfff && c < 0xfffe) || (c > 0xffff && c <= 0x10ffff))) return true;
  return isEscapeChar(c);
}

function isPrintableLatin1(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || isEscapeChar(c);
}

/** \n \r \t \v \b \f \e: not printable, but a string may hold them (written as escapes). */
function isEscapeChar(c: number): boolean {
  return (c >= 8 && c <= 13) || c === 27;
}

/**
 * The UTF-8 character at `i` as Erlang's `<<C/utf8, _/binary>>` matches it (shortest form, no
 * surrogates); size 0 when there is none there.
 */
function utf8At(buf: Buffer, i: number): { code: number; size: number } {
  const none = { code: 0, size: 0 };
  const b = buf[i];
  let size: number;
  let code: number;
  if (b < 0x80) return { code: b, size: 1 };
  else if (b >= 0xc2 && b < 0xe0) [size, code] = [2, b & 0x1f];
  else if (b >= 0xe0 && b < 0xf0) [size, code] = [3, b & 0x0f];
  else if (b >= 0xf0 && b < 0xf5) [size, code] = [4, b & 0x07];
  else return none;
  if (i + size > buf.length) return none;
  for (let k = 1; k < size; k++) {
    const c = buf[i + k];
    if ((c & 0xc0) !== 0x80) return none;
    code = (code << 6) | (c & 0x3f);
  }
  if ((size === 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) || (size === 4 && (code < 0x10000 || code > 0x10ffff))) {
    return none;
  }
  return { code, size };
}

/** The characters of a charlist as a JS string. */
function charlistText(codes: number[]): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCodePoint(...codes.slice(i, i + 4096));
  return s;
}

/** io_lib:write_string: a string in double quotes, with escapes (characters from 160 as themselves). */
function writeString(chars: string): string {
  return `"${chars.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f]/g;

function escapeChar(ch: string): string {
  const c = ch.charCodeAt(0);
  return ESCAPES[c] ?? '\\' + c.toString(8).padStart(3, '0');
}

const ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
  8: '\\b',
  12: '\\f',
  27: '\\e',
  127: '\\d',
};

/** A node on one line (io_lib_pretty:write/1). */
function write(n: Node): string {
  switch (n.kind) {
    case 'text':
      return n.text;
    case 'bin':
      return `<<${n.parts.join(',')}>>`;
    case 'list':
      return `[${writeItems(n.items, n.end, '|')}]`;
    case 'tuple':
      return `{${writeItems(n.items, n.end, ',')}}`;
    case 'map':
      return `#{${writeItems(n.items, n.end, ',')}}`;
    case 'pair':
      return `${write(n.key)} => ${write(n.value)}`;
  }
}

function writeItems(items: Node[], end: End, separator: string): string {
  if (items.length === 0) return '...';
  let s = items.map(write).join(',');
  if (end === 'dots') s += separator + '...';
  else if (end !== null) s += separator + write(end);
  return s;
}

/** The parts io_lib_pretty puts several of on one line: text, and map pairs of text. */
function isAtomic(n: Node): boolean {
  return n.kind === 'text' || (n.kind === 'pair' && n.key.kind === 'text' && n.value.kind === 'text');
}

/** io_lib_pretty's last_depth: one more closing bracket follows the last item. */
function lastDepth(items: Node[], i: number, ld: number): number {
  return i < items.length - 1 ? 0 : ld + 1;
}

function spaces(n: number): string {
  return ' '.repeat(Math.max(0, n));
}

/** Thrown by the indentation trial when a tagged tuple would end up too far right. */
class NoGood extends Error {}

/**
 * io_lib_pretty's choice of the indentation of tagged tuples (TInd): -1 (after the tag) when that
 * keeps them within the left half of the line, else 4, else 1.
 */
function indentFor(root: Node, column: number, ll: number, m: number): number {
  for (const candidate of [-1, 4]) {
    try {
      new Indentation(ll, m, candidate).cind(root, column, 0, 0);
      return candidate;
    } catch (e) {
      if (!(e instanceof NoGood)) throw e;
    }
  }
  return 1;
}

/** A trial layout that only checks where tagged tuples would land (io_lib_pretty's cind). */
class Indentation {
  constructor(
    private readonly ll: number,
    private readonly m: number,
    private readonly ind: number,
  ) {}

  private fits(n: Node, col: number, ld: number, w: number): boolean {
    return n.len < this.ll - col - ld && n.len + w + ld <= this.m;
  }

  cind(n: Node, col: number, ld: number, w: number): void {
    if (this.fits(n, col, ld, w)) return;
    switch (n.kind) {
      case 'list':
        return this.list(n.items, 0, n.end, col + 1, ld, w + 1);
      case 'tuple':
        if (n.tagged) return this.tagTuple(n.items, n.end, col, ld, w + 1);
        return this.list(n.items, 0, n.end, col + 1, ld, w + 1);
      case 'map':
        return this.map(n.items, col + 2, ld, w + 2);
    }
  }

  private tagTuple(items: Node[], end: End, col: number, ld: number, w: number): void {
    const tlen = items[0].len;
    const tagInd = tlen + 2;
    const tcol = col + tagInd;
    const half = Math.floor(this.ll / 2);
    if (this.ind > 0 && tagInd > this.ind) {
      const col1 = col + this.ind;
      if (!(this.m + col1 <= this.ll || col1 <= half)) throw new NoGood();
      this.tail(items, 1, end, col1, tcol, ld, w + tlen);
    } else {
      if (!(this.m + tcol < this.ll || tcol < half)) throw new NoGood();
      this.list(items, 1, end, tcol, ld, w + tlen + 1);
    }
  }

  private list(items: Node[], from: number, end: End, col0: number, ld: number, w: number): void {
    if (from >= items.length) return;
    const we = this.element(items[from], col0, lastDepth(items, from, ld), w);
    this.tail(items, from + 1, end, col0, col0 + we, ld, w + we);
  }

  private tail(items: Node[], from: number, end: End, col0: number, col: number, ld: number, w: number): void {
    for (let i = from; i < items.length; i++) {
      const e = items[i];
      const ld1 = lastDepth(items, i, ld);
      const elen = 1 + e.len;
      if (fitsAfter(e, elen, ld1, col, w, this.ll, this.m)) {
        col += elen;
        w += elen;
      } else {
        const we = this.element(e, col0, ld1, 0);
        col = col0 + we;
        w = we;
      }
    }
    if (end === null || end === 'dots') return;
    if (end.len + 1 < this.ll - col - (ld + 1) && end.len + 1 + w + (ld + 1) <= this.m && isAtomic(end)) return;
    this.cind(end, col, ld + 1, 0);
  }

  private element(e: Node, col: number, ld: number, w: number): number {
    if (this.fits(e, col, ld, w) && isAtomic(e)) return e.len;
    this.cind(e, col, ld, w);
    return this.ll;
  }

  private map(pairs: Node[], col: number, ld: number, w: number): void {
    if (pairs.length === 0) return;
    const pw = this.pair(pairs[0], col, lastDepth(pairs, 0, ld), w);
    let c = col + pw;
    let width = w + pw;
    for (let i = 1; i < pairs.length; i++) {
      const p = pairs[i];
      const ld1 = lastDepth(pairs, i, ld);
      const elen = 1 + p.len;
      if (fitsAfter(p, elen, ld1, c, width, this.ll, this.m)) {
        c += elen;
        width += elen;
      } else {
        const w1 = this.pair(p, col, ld1, 0);
        c = col + w1;
        width = w1;
      }
    }
  }

  private pair(p: Node, col: number, ld: number, w: number): number {
    if (this.fits(p, col, ld, w)) return isAtomic(p) ? p.len : this.ll;
    if (p.kind !== 'pair') return this.ll;
    this.cind(p.key, col, ld, w);
    this.cind(p.value, col + mapValueIndent(this.ind), ld, 0);
    return this.ll;
  }
}

/** Whether an item of text fits after the ones already on this line (pp_tail's first branch). */
function fitsAfter(e: Node, elen: number, ld1: number, col: number, w: number, ll: number, m: number): boolean {
  if (!isAtomic(e)) return false;
  if (ld1 === 0) return elen + 1 < ll - col && w + elen + 1 <= m;
  return elen < ll - col - ld1 && w + elen + ld1 <= m;
}

function mapValueIndent(tind: number): number {
  return tind > 0 ? tind : 4;
}

/**
 * io_lib_pretty's pp: a node laid out from column `col`, continuation lines indented `ind`
 * spaces; `ld` closing brackets follow it, `w` characters precede it on its line since the last
 * break. `m`, the width budget, is the whole term's length.
 */
class Layout {
  constructor(
    private readonly ll: number,
    private readonly m: number,
    private readonly tind: number,
  ) {}

  private fits(n: Node, col: number, ld: number, w: number): boolean {
    return n.len < this.ll - col - ld && n.len + w + ld <= this.m;
  }

  pp(n: Node, col: number, ind: number, ld: number, w: number): string {
    if (this.fits(n, col, ld, w)) return write(n);
    switch (n.kind) {
      case 'list':
        return `[${this.list(n.items, 0, n.end, col + 1, ind + 1, ld, '|', w + 1)}]`;
      case 'tuple':
        if (n.tagged) return `{${this.tagTuple(n.items, n.end, col, ind, ld, w + 1)}}`;
        return `{${this.list(n.items, 0, n.end, col + 1, ind + 1, ld, ',', w + 1)}}`;
      case 'map':
        return `#{${this.map(n.items, n.end, col + 2, ind + 2, ld, w + 1)}}`;
      case 'bin':
        return this.binary(n.parts, col + 2, ind + 2, ld, w);
      default:
        return write(n);
    }
  }

  /** A tuple whose first element is an atom: the other elements line up after the tag. */
  private tagTuple(items: Node[], end: End, col: number, ind: number, ld: number, w: number): string {
    const tag = items[0];
    const tagInd = tag.len + 2;
    const tcol = col + tagInd;
    if (this.tind > 0 && tagInd > this.tind) {
      return write(tag) + this.tail(items, 1, end, col + this.tind, tcol, ind + this.tind, ld, ',', w + tag.len);
    }
    return `${write(tag)},${this.list(items, 1, end, tcol, ind + tagInd, ld, ',', w + tag.len + 1)}`;
  }

  private list(items: Node[], from: number, end: End, col0: number, ind: number, ld: number, sep: string, w: number): string {
    if (from >= items.length) return '...';
    const [es, we] = this.element(items[from], col0, ind, lastDepth(items, from, ld), w);
    return es + this.tail(items, from + 1, end, col0, col0 + we, ind, ld, sep, w + we);
  }

  private tail(items: Node[], from: number, end: End, col0: number, col: number, ind: number, ld: number, sep: string, w: number): string {
    let s = '';
    for (let i = from; i < items.length; i++) {
      const e = items[i];
      const ld1 = lastDepth(items, i, ld);
      const elen = 1 + e.len;
      if (fitsAfter(e, elen, ld1, col, w, this.ll, this.m)) {
        s += ',' + write(e);
        col += elen;
        w += elen;
      } else {
        const [es, we] = this.element(e, col0, ind, ld1, 0);
        s += ',\n' + spaces(ind) + es;
        col = col0 + we;
        w = we;
      }
    }
    if (end === null) return s;
    if (end === 'dots') return s + sep + '...';
    if (end.len + 1 < this.ll - col - (ld + 1) && end.len + 1 + w + (ld + 1) <= this.m && isAtomic(end)) return s + sep + write(end);
    return s + sep + '\n' + spaces(ind) + this.pp(end, col0, ind, ld + 1, 0);
  }

  private element(e: Node, col: number, ind: number, ld: number, w: number): [string, number] {
    if (this.fits(e, col, ld, w) && isAtomic(e)) return [write(e), e.len];
    return [this.pp(e, col, ind, ld, w), this.ll];
  }

  private map(pairs: Node[], end: End, col: number, ind: number, ld: number, w: number): string {
    if (pairs.length === 0) return end === 'dots' ? '...' : '';
    const [first, pw] = this.pair(pairs[0], col, ind, lastDepth(pairs, 0, ld), w);
    let s = first;
    let c = col + pw;
    let width = pw;
    for (let i = 1; i < pairs.length; i++) {
      const p = pairs[i];
      const ld1 = lastDepth(pairs, i, ld);
      const elen = 1 + p.len;
      if (fitsAfter(p, elen, ld1, c, width, this.ll, this.m)) {
        s += ',' + write(p);
        c += elen;
        width += elen;
      } else {
        const [ps, w1] = this.pair(p, col, ind, ld1, 0);
        s += ',\n' + spaces(ind) + ps;
        c = col + w1;
        width = w1;
      }
    }
    return end === 'dots' ? s + ',...' : s;
  }

  /** `Key => Value`, or the value on the next line, indented, when the pair does not fit. */
  private pair(p: Node, col: number, ind: number, ld: number, w: number): [string, number] {
    if (this.fits(p, col, ld, w)) return [write(p), isAtomic(p) ? p.len : this.ll];
    if (p.kind !== 'pair') return [write(p), this.ll];
    const i = mapValueIndent(this.tind);
    const key = this.pp(p.key, col, ind, ld, w);
    return [`${key} =>\n${spaces(ind + i)}${this.pp(p.value, col + i, ind + i, ld, 0)}`, this.ll];
  }

  /** A binary of bytes, as many to a line as fit (at least 8 columns' worth). */
  private binary(parts: string[], col: number, ind: number, ld: number, w: number): string {
    const n0 = Math.max(8, Math.min(this.ll - col, this.m - 4 - w) - ld);
    let n = n0;
    let s = '<<';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1) {
        s += part.length > n ? '\n' + spaces(ind) + part : part;
        break;
      }
      const len = part.length + 1;
      if (n - len < 0) {
        s += '\n' + spaces(ind) + part + ',';
        n = n0 - len;
      } else {
        s += part + ',';
        n -= len;
      }
    }
    return s + '>>';
  }
}
