/**
 * The External Term Format decoder: bytes -> terms, for untrusted input.
 *
 * Iterative (an explicit stack of open containers), so nesting depth costs heap, never call stack.
 * Every length is checked against the bytes that remain before anything is allocated for it, and
 * every failure is a {@link DecodeError}.
 */
import { isUtf8 } from 'node:buffer';
import * as zlib from 'node:zlib';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from './terms';
import { ErlMap } from './erlmap';
import { Tag } from './tags';
import { AtomLimitError, DecodeError, DecodeErrorCode } from './errors';
import { DecodeLimits, resolveDecodeLimits } from './limits';

/** Options of a {@link Decoder}: the {@link DecodeLimits} (each optional) and how terms are built. */
export interface DecodeOptions extends Partial<DecodeLimits> {
  /**
   * What ATOM_CACHE_REF (tag 82) indices stand for: the atoms of the distribution header in front of
   * the term. The array is read at decode time, so a connection can pass one array and rewrite its
   * entries for every message. An index without an atom is a `atom_cache_miss` error.
   */
  atomCache?: ReadonlyArray<Atom | undefined>;
  /** `'wrap'` (default): floats are {@link ErlFloat}, so `1.0` stays a float. `'number'`: plain JS numbers (lossy: `1.0` re-encodes as `1`). */
  floats?: 'wrap' | 'number';
  /**
   * Binaries are `subarray` views of the input by default (no copy, O(1) for any size), which keeps
   * the whole input buffer alive as long as any of them is. `true` copies each binary instead.
   * `'small'` copies a binary that is less than half of the memory behind the input when that
   * memory is larger than `Buffer.poolSize` (a small copy lands in a pool slab of that size), and
   * keeps a view otherwise: a small binary never pins a large buffer, a large one costs no copy
   * (for input the decoded terms may keep, like a received message).
   */
  copyBinaries?: boolean | 'small';
}

/** The `copyBinaries` option. */
const enum CopyBinaries {
  None,
  All,
  Small,
}

const enum Frame {
  Tuple,
  /** Elements of a LIST_EXT; the tail comes after them. */
  List,
  /** The last thing of a list: a tail that is not a list. */
  ListTail,
  Map,
  /** The free variables of a fun. */
  Fun,
}

/** The fields of a fun read before its free variables. */
interface FunHead {
  module: Atom;
  arity: number;
  uniq: Buffer;
  index: number;
  oldIndex: number;
  oldUniq: number;
  pid: Pid;
  legacy: boolean;
  /** How many free variables follow. */
  free: number;
}

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');
const EMPTY = Buffer.alloc(0);
/** What a closed stack level holds instead of its items. */
const EMPTY_ITEMS: Term[] = [];
/** Levels kept for reuse after a deeply nested term; deeper ones are given back. */
const KEEP_LEVELS = 4096;

/** A container being decoded, saved while a container inside it is. */
class Level {
  kind = Frame.Tuple;
  items: Term[] = EMPTY_ITEMS;
  /** The next value's index in `items`, and how many values there are. */
  index = 0;
  count = 0;
  /** Where the container began. */
  start = 0;
  /** What it adds to `owed` while its child is open. */
  owes = 0;
  /** A fun's head, while its free variables are read. */
  fun: FunHead | undefined = undefined;
}

/** Slots of the cache of atoms by their bytes (a power of two), and the longest atom it keeps. */
const ATOM_CACHE_SLOTS = 4096;
const ATOM_CACHE_MAX_BYTES = 64;
/** Atoms of up to this many bytes are kept as two 32-bit words and compared as numbers. */
const WORD_ATOM_BYTES = 8;

/**
 * Atoms by their UTF-8 bytes, so that a repeated atom costs neither UTF-8 decoding nor a string.
 * Direct-mapped: a slot holds the last atom whose bytes hash there. Most atoms are short and are
 * compared as two numbers; longer ones byte by byte. The slots hold their atoms strongly, so a hit
 * costs no WeakRef; being a fixed number, they keep at most that many atoms from being reclaimed.
 */
class AtomsByBytes {
  private readonly word0 = new Int32Array(ATOM_CACHE_SLOTS);
  private readonly word1 = new Int32Array(ATOM_CACHE_SLOTS);
  /** The length of each slot's atom, -1 for none. */
  private readonly length = new Int32Array(ATOM_CACHE_SLOTS).fill(-1);
  private readonly bytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(ATOM_CACHE_SLOTS);
  private readonly atoms: Array<Atom | undefined> = new Array<Atom | undefined>(ATOM_CACHE_SLOTS);
  /** The words and slot of the bytes last looked up, for `set` after a miss. */
  private w0 = 0;
  private w1 = 0;
  private slot = 0;

  /** The atom of the `len` bytes at `pos`, if cached. */
  get(buf: Buffer, pos: number, len: number): Atom | undefined {
    if (len > ATOM_CACHE_MAX_BYTES) return undefined;
    let w0 = 0;
    let w1 = 0;
    let k = 0;
    for (; k < len && k < 4; k++) w0 = (w0 << 8) | buf[pos + k];
    for (; k < len && k < WORD_ATOM_BYTES; k++) w1 = (w1 << 8) | buf[pos + k];
    // Longer atoms hash their last byte in as well; their bytes are compared below.
    const h = Math.imul(w0 ^ Math.imul(w1 ^ (len << 24) ^ (len > WORD_ATOM_BYTES ? buf[pos + len - 1] : 0), 0x9e3779b1), 0x85ebca6b);
    const slot = (h ^ (h >>> 15)) & (ATOM_CACHE_SLOTS - 1);
    this.w0 = w0;
    this.w1 = w1;
    this.slot = slot;
    if (this.length[slot] !== len || this.word0[slot] !== w0 || this.word1[slot] !== w1) return undefined;
    if (len > WORD_ATOM_BYTES) {
      const key = this.bytes[slot] as Uint8Array;
      for (k = WORD_ATOM_BYTES; k < len; k++) if (key[k] !== buf[pos + k]) return undefined;
    }
    return this.atoms[slot];
  }

  /** Remember `atom` for the bytes of the `get` just before, which missed. */
  set(buf: Buffer, pos: number, len: number, atom: Atom): void {
    const slot = this.slot;
    this.word0[slot] = this.w0;
    this.word1[slot] = this.w1;
    this.length[slot] = len;
    this.bytes[slot] = len > WORD_ATOM_BYTES ? new Uint8Array(buf.subarray(pos, pos + len)) : undefined;
    this.atoms[slot] = atom;
  }
}

/**
 * The cache of decoders whose atom length limit no cached atom can exceed (the default ones):
 * atoms are interned process-wide, so bytes name the same atom for all of them, and a cache per
 * decoder (per connection) cost about 100 KiB of arrays to allocate and collect on every connect.
 */
const SHARED_ATOMS_BY_BYTES = new AtomsByBytes();

/** Integers of up to 6 digit bytes are below 2^48 and are computed as exact JS numbers. */
const NUMBER_DIGITS = 6;

function u16(buf: Buffer, p: number): number {
  return (buf[p] << 8) | buf[p + 1];
}

function u32(buf: Buffer, p: number): number {
  return buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
}

/** FLOAT_EXT text as BEAM's sys_chars_to_double accepts it: digits, a point, digits, an optional exponent. */
const FLOAT_TEXT = /^[+-]?\d+[.,]\d+(?:[eE][+-]?\d+)?$/;

/**
 * Decodes External Term Format bytes. Keep one per connection (or use {@link decode}): it reuses
 * its stack and caches atoms between calls. Not reentrant, which nothing in decoding needs.
 */
export class Decoder {
  private readonly limits: DecodeLimits;
  /** The atoms ATOM_CACHE_REFs stand for (the `atomCache` option). */
  private readonly cacheRefs: ReadonlyArray<Atom | undefined> | undefined;
  private readonly wrapFloats: boolean;
  private readonly copyBinaries: CopyBinaries;

  /** Position after the last thing a helper read. */
  private p = 0;
  /** Bytes the open levels below the innermost one still need at least (a byte per value to come). */
  private owed = 0;
  /** Atoms this decode created (for `maxAtoms`). */
  private newAtoms = 0;

  /** The stack of open containers below the innermost one; its objects are reused from call to call. */
  private readonly levels: Level[] = [];

  private readonly byBytes: AtomsByBytes;

  constructor(options: DecodeOptions = {}) {
    this.limits = resolveDecodeLimits(options);
    // A hit skips the length check: a lower limit needs a cache of its own.
    this.byBytes = this.limits.maxAtomLength >= ATOM_CACHE_MAX_BYTES ? SHARED_ATOMS_BY_BYTES : new AtomsByBytes();
    this.cacheRefs = options.atomCache;
    this.wrapFloats = options.floats !== 'number';
    this.copyBinaries =
      options.copyBinaries === true ? CopyBinaries.All : options.copyBinaries === 'small' ? CopyBinaries.Small : CopyBinaries.None;
  }

  /**
   * Decode one term that starts with the version byte 131 (or 131, 80 for a compressed term). The
   * term must use the whole buffer: trailing bytes are a `trailing_bytes` error. For a compressed
   * term, offsets in errors from inside it are those of the equivalent uncompressed encoding.
   */
  decode(buf: Buffer): Term {
    buf = asBuffer(buf);
    this.checkSize(buf, 0);
    if (buf.length === 0) throw new DecodeError('truncated', 0, 'empty input');
    if (buf[0] !== Tag.Version) throw new DecodeError('bad_version', 0, `expected version byte 131, got ${buf[0]}`);
    if (buf.length > 1 && buf[1] === Tag.Compressed) return this.decodeCompressed(buf);
    const term = this.run(buf, 1);
    if (this.p !== buf.length) throw new DecodeError('trailing_bytes', this.p, `${buf.length - this.p} bytes after the term`);
    return term;
  }

  /**
   * Decode one term without a version byte starting at `offset` (as after a distribution header)
   * and return it with the offset just after it. Bytes after the term are left alone.
   */
  decodeAt(buf: Buffer, offset: number): { term: Term; end: number } {
    buf = asBuffer(buf);
    if (!Number.isInteger(offset) || offset < 0) throw new DecodeError('bad_value', 0, `bad offset ${offset}`);
    this.checkSize(buf, offset);
    const term = this.run(buf, offset);
    return { term, end: this.p };
  }

  private checkSize(buf: Buffer, offset: number): void {
    const max = this.limits.maxInputSize;
    if (buf.length - offset > max) {
      throw new DecodeError('size_limit', offset + max, `input of ${buf.length - offset} bytes exceeds maxInputSize ${max}`);
    }
  }

  private decodeCompressed(buf: Buffer): Term {
    if (buf.length < 6) throw new DecodeError('truncated', buf.length, 'compressed term header cut short');
    const size = u32(buf, 2);
    if (size > this.limits.maxDecompressedSize) {
      throw new DecodeError(
        'decompressed_size_limit',
        2,
        `compressed term declares ${size} bytes, over maxDecompressedSize ${this.limits.maxDecompressedSize}`,
      );
    }
    let data: Buffer;
    try {
      // maxOutputLength: a stream that inflates past its declared size stops there (zip bombs).
      data = zlib.inflateSync(buf.subarray(6), { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      throw new DecodeError('bad_compressed', 6, `zlib: ${(e as Error).message}`);
    }
    if (data.length !== size) throw new DecodeError('bad_compressed', 6, `inflated to ${data.length} bytes, declared ${size}`);
    try {
      const term = this.run(data, 0);
      if (this.p !== data.length) throw new DecodeError('trailing_bytes', this.p, `${data.length - this.p} bytes after the term`);
      return term;
    } catch (e) {
      if (e instanceof AtomLimitError) throw new AtomLimitError(e.limit, e.offset + 1);
      const d = e as DecodeError;
      throw new DecodeError(d.code, d.offset + 1, d.message.replace(/ \(\w+ at byte \d+\)$/, ''));
    }
  }

  private fail(code: DecodeErrorCode, offset: number, detail: string): never {
    throw new DecodeError(code, offset, detail);
  }

  private truncated(offset: number): never {
    throw new DecodeError('truncated', offset, 'input ends inside a term');
  }

  /** Decode the term at `pos`; `this.p` is left after it. Throws only DecodeError. */
  private run(buf: Buffer, pos: number): Term {
    this.newAtoms = 0;
    this.owed = 0;
    // Open levels. The innermost one lives in locals (kind, items, i, n); those below it in `levels`.
    let sp = 0;
    let kind = Frame.Tuple;
    let items = EMPTY_ITEMS;
    let i = 0;
    let n = 0;
    try {
      const end = buf.length;
      let value: Term;
      let at = pos;
      /** Nested one-element lists starting before this are not what emptyNest decodes. */
      let noChainBefore = 0;
      outer: for (;;) {
        at = pos;
        if (pos >= end) this.truncated(pos);
        const tag = buf[pos++];
        let open = 0;
        switch (tag) {
          case Tag.SmallInteger:
            if (pos >= end) this.truncated(pos);
            value = buf[pos++];
            break;
          case Tag.Integer:
            if (end - pos < 4) this.truncated(pos);
            value = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
            pos += 4;
            break;
          case Tag.SmallAtomUtf8: {
            // The common atom: try the cache of atom bytes before anything else.
            const len = pos < end ? buf[pos] : 0;
            let a = end - pos > len ? this.byBytes.get(buf, pos + 1, len) : undefined;
            if (a !== undefined) {
              pos += 1 + len;
            } else {
              a = this.atom(buf, at, end);
              pos = this.p;
            }
            value = a === TRUE ? true : a === FALSE ? false : a;
            break;
          }
          case Tag.AtomUtf8:
          case Tag.SmallAtom:
          case Tag.Atom:
          case Tag.AtomCacheRef: {
            const a = this.atom(buf, at, end);
            pos = this.p;
            value = a === TRUE ? true : a === FALSE ? false : a;
            break;
          }
          case Tag.Nil:
            value = [];
            break;
          case Tag.NewFloat: {
            if (end - pos < 8) this.truncated(pos);
            const f = buf.readDoubleBE(pos);
            if (!Number.isFinite(f)) this.fail('bad_value', at, 'NEW_FLOAT_EXT is not finite');
            pos += 8;
            value = this.wrapFloats ? new ErlFloat(f) : f;
            break;
          }
          case Tag.Binary: {
            if (end - pos < 4) this.truncated(pos);
            const len = u32(buf, pos);
            pos += 4;
            if (end - pos < len) this.truncated(pos);
            value = this.bytes(buf, pos, pos + len);
            pos += len;
            break;
          }
          case Tag.String: {
            if (end - pos < 2) this.truncated(pos);
            const len = u16(buf, pos);
            pos += 2;
            if (end - pos < len) this.truncated(pos);
            const list = new Array<number>(len);
            for (let k = 0; k < len; k++) list[k] = buf[pos + k];
            pos += len;
            value = list;
            break;
          }
          case Tag.SmallTuple:
          case Tag.LargeTuple: {
            if (tag === Tag.SmallTuple) {
              if (pos >= end) this.truncated(pos);
              open = buf[pos++];
            } else {
              if (end - pos < 4) this.truncated(pos);
              open = u32(buf, pos);
              pos += 4;
            }
            if (open === 0) {
              value = new Tuple([]);
              break;
            }
            this.open(sp, kind, items, i, n, at, pos, end, open);
            sp++;
            kind = Frame.Tuple;
            items = new Array<Term>(open);
            i = 0;
            n = open;
            continue outer;
          }
          case Tag.List: {
            if (end - pos < 4) this.truncated(pos);
            open = u32(buf, pos);
            pos += 4;
            // [ | T] is T itself: BEAM decodes LIST_EXT with no elements as its tail.
            if (open === 0) continue outer;
            if (open === 1 && pos >= noChainBefore) {
              // [[...[[]]...]]: nested one-element lists around [], decoded without a level each.
              const nest = this.emptyNest(buf, pos, end, sp === 0 ? 0 : openRest(kind, i, n), sp);
              if (nest !== undefined) {
                value = nest;
                pos = this.p;
                break;
              }
              // Not one (this.p is after its headers): the lists inside are not tried again.
              noChainBefore = this.p;
            }
            this.open(sp, kind, items, i, n, at, pos, end, open + 1);
            sp++;
            kind = Frame.List;
            items = new Array<Term>(open);
            i = 0;
            n = open;
            // Leading small integers in a tight loop, without the dispatch per element.
            while (i < n && end - pos >= 2 && buf[pos] === Tag.SmallInteger) {
              items[i++] = buf[pos + 1];
              pos += 2;
            }
            if (i === n) {
              // All of them: hand the last one over as the value that completes the list.
              value = items[--i];
              break;
            }
            continue outer;
          }
          case Tag.Map: {
            if (end - pos < 4) this.truncated(pos);
            open = u32(buf, pos);
            pos += 4;
            if (open === 0) {
              const map = new ErlMap();
              map.wireOrder = true;
              value = map;
              break;
            }
            this.open(sp, kind, items, i, n, at, pos, end, 2 * open);
            sp++;
            kind = Frame.Map;
            items = new Array<Term>(2 * open);
            i = 0;
            n = 2 * open;
            continue outer;
          }
          case Tag.SmallBig:
          case Tag.LargeBig:
            value = this.big(buf, at, end);
            pos = this.p;
            break;
          case Tag.BitBinary:
            value = this.bitBinary(buf, at, end);
            pos = this.p;
            break;
          case Tag.Pid:
          case Tag.NewPid:
            value = this.pid(buf, at, end);
            pos = this.p;
            break;
          case Tag.Port:
          case Tag.NewPort:
          case Tag.V4Port:
            value = this.port(buf, at, end);
            pos = this.p;
            break;
          case Tag.Reference:
          case Tag.NewReference:
          case Tag.NewerReference:
            value = this.reference(buf, at, end);
            pos = this.p;
            break;
          case Tag.Export: {
            const module = this.atom(buf, pos, end);
            const fn = this.atom(buf, this.p, end);
            const arity = this.smallInt(buf, this.p, end);
            if (arity < 0) this.fail('bad_value', at, 'negative EXPORT_EXT arity');
            pos = this.p;
            value = new ExportFun(module, fn, arity);
            break;
          }
          case Tag.NewFun:
          case Tag.Fun: {
            const head = tag === Tag.NewFun ? this.newFunHead(buf, pos, end) : this.oldFunHead(buf, pos, end);
            pos = this.p;
            open = head.free;
            if (open === 0) {
              value = makeFun(head, []);
              break;
            }
            this.open(sp, kind, items, i, n, at, pos, end, open);
            this.levels[sp].fun = head;
            sp++;
            kind = Frame.Fun;
            items = new Array<Term>(open);
            i = 0;
            n = open;
            continue outer;
          }
          case Tag.Float:
            value = this.oldFloat(buf, pos, end);
            pos += 31;
            break;
          case Tag.Local:
            return this.fail('local_ext', at, 'LOCAL_EXT terms can only be decoded by the node that made them');
          default:
            return this.fail('bad_tag', at, `unknown tag ${tag}`);
        }

        // Hand the finished value to the innermost open level; close the levels it completes.
        for (;;) {
          if (sp === 0) {
            this.p = pos;
            return value;
          }
          if (kind === Frame.ListTail) {
            value = new ImproperList(items, value);
          } else {
            items[i++] = value;
            if (i < n) continue outer;
            if (kind === Frame.Tuple) value = new Tuple(items);
            else if (kind === Frame.Map) value = this.map(items, sp - 1);
            else if (kind === Frame.Fun) value = makeFun(this.levels[sp - 1].fun as FunHead, items);
            else {
              // The tail of a list: NIL or a STRING_EXT ends a proper list, a LIST_EXT continues
              // it (so [1 | [2 | "ab"]] is [1,2,97,98]) without nesting, anything else makes it improper.
              for (;;) {
                if (pos >= end) this.truncated(pos);
                const t = buf[pos];
                if (t === Tag.Nil) {
                  pos++;
                  break;
                }
                if (t === Tag.List) {
                  if (end - pos < 5) this.truncated(pos + 1);
                  const more = u32(buf, pos + 1);
                  pos += 5;
                  if (more === 0) continue;
                  if (end - pos < this.owed + more + 1) this.truncated(pos);
                  n += more;
                  continue outer;
                }
                if (t === Tag.String) {
                  if (end - pos < 3) this.truncated(pos + 1);
                  const more = u16(buf, pos + 1);
                  pos += 3;
                  if (end - pos < more) this.truncated(pos);
                  for (let k = 0; k < more; k++) items.push(buf[pos + k]);
                  pos += more;
                  break;
                }
                kind = Frame.ListTail;
                continue outer;
              }
              value = items;
            }
          }
          // Close the innermost level; its parent becomes the innermost.
          sp--;
          const closed = this.levels[sp];
          at = closed.start;
          closed.fun = undefined;
          if (sp > 0) {
            const parent = this.levels[sp - 1];
            this.owed -= parent.owes;
            kind = parent.kind;
            items = parent.items;
            i = parent.index;
            n = parent.count;
            parent.items = EMPTY_ITEMS;
          } else {
            items = EMPTY_ITEMS;
          }
        }
      }
    } catch (e) {
      for (let f = 0; f < sp; f++) {
        this.levels[f].items = EMPTY_ITEMS;
        this.levels[f].fun = undefined;
      }
      if (e instanceof DecodeError) throw e;
      throw new DecodeError('bad_value', pos, `undecodable input: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      if (this.levels.length > KEEP_LEVELS) this.levels.length = KEEP_LEVELS;
    }
  }

  /**
   * Open level `sp` for a container starting at `at`: the current innermost level (the locals of
   * `run`) is saved into the arrays first.
   */
  private open(sp: number, kind: Frame, items: Term[], i: number, n: number, at: number, pos: number, end: number, need: number): void {
    if (sp >= this.limits.maxDepth) this.fail('depth_limit', at, `nesting deeper than maxDepth ${this.limits.maxDepth}`);
    let owed = this.owed;
    if (sp > 0) {
      const parent = this.levels[sp - 1];
      parent.kind = kind;
      parent.items = items;
      parent.index = i;
      parent.count = n;
      // What the parent still needs after this child: a byte at least for each of its other
      // values, and for a list's tail.
      const rest = openRest(kind, i, n);
      parent.owes = rest;
      owed += rest;
    }
    // The new level's values need a byte each beyond what its open ancestors are owed. Checking
    // against those too keeps the arrays allocated for all open levels within the input's size.
    if (end - pos < owed + need) this.truncated(pos);
    this.owed = owed;
    const level = this.levels[sp] ?? (this.levels[sp] = new Level());
    level.start = at;
  }

  /**
   * `[[...[[]]...]]` after the header of its outermost list (LIST_EXT of one element) at `pos - 5`:
   * the headers of k such lists, then NIL, then k NILs. Returns the term, with `this.p` after it, or
   * undefined when the bytes are something else or would fail a check of the level-by-level path
   * (which then decodes them and fails the same way); `this.p` is then after the headers. `rest`
   * is what the enclosing level would owe while the outermost list is open (see `open`).
   */
  private emptyNest(buf: Buffer, pos: number, end: number, rest: number, sp: number): Term[] | undefined {
    let k = 1;
    let p = pos;
    while (end - p >= 5 && buf[p] === Tag.List && buf[p + 1] === 0 && buf[p + 2] === 0 && buf[p + 3] === 0 && buf[p + 4] === 1) {
      k++;
      p += 5;
    }
    this.p = p;
    // The innermost list is opened at depth sp + k - 1, after its header at p, owing as open() does:
    // the enclosing level's rest, and a tail byte for each list around it. The checks of the outer
    // lists are weaker than this one (5 bytes of header for each byte owed more).
    if (sp + k > this.limits.maxDepth || end - p < this.owed + rest + k + 1) return undefined;
    if (buf[p] !== Tag.Nil) return undefined;
    for (let j = 1; j <= k; j++) if (buf[p + j] !== Tag.Nil) return undefined;
    let value: Term[] = [];
    for (let j = 0; j < k; j++) value = [value];
    this.p = p + 1 + k;
    return value;
  }

  /** The map of level `f` from its keys and values, in wire order. */
  private map(kv: Term[], f: number): ErlMap {
    const map = ErlMap.fromWire(kv);
    if (map === null) this.fail('duplicate_map_key', this.levels[f].start, 'a map has the same key twice');
    return map;
  }

  private bytes(buf: Buffer, from: number, to: number): Buffer {
    const behind = buf.buffer.byteLength;
    const copy =
      this.copyBinaries === CopyBinaries.All ||
      (this.copyBinaries === CopyBinaries.Small && (to - from) * 2 < behind && behind > Buffer.poolSize);
    return copy ? Buffer.from(buf.subarray(from, to)) : buf.subarray(from, to);
  }

  /** An atom (any atom tag, or a cache reference) whose tag is at `at`. */
  private atom(buf: Buffer, at: number, end: number): Atom {
    if (at >= end) this.truncated(at);
    const tag = buf[at];
    let pos = at + 1;
    let len: number;
    switch (tag) {
      case Tag.SmallAtomUtf8:
      case Tag.SmallAtom:
        if (pos >= end) this.truncated(pos);
        len = buf[pos++];
        break;
      case Tag.AtomUtf8:
      case Tag.Atom:
        if (end - pos < 2) this.truncated(pos);
        len = u16(buf, pos);
        pos += 2;
        break;
      case Tag.AtomCacheRef: {
        if (pos >= end) this.truncated(pos);
        const i = buf[pos];
        const a = this.cacheRefs?.[i];
        if (a === undefined) this.fail('atom_cache_miss', at, `no atom for cache reference ${i}`);
        this.p = pos + 1;
        return a;
      }
      default:
        return this.fail('bad_tag', at, `expected an atom, got tag ${tag}`);
    }
    if (end - pos < len) this.truncated(pos);
    this.p = pos + len;
    if (tag === Tag.SmallAtom || tag === Tag.Atom) {
      if (len > this.limits.maxAtomLength) this.fail('atom_length', at, `atom of ${len} characters, over maxAtomLength`);
      return this.intern(buf.toString('latin1', pos, pos + len), at);
    }
    if (len > ATOM_CACHE_MAX_BYTES) return this.utf8Atom(buf, at, pos, len);
    const hit = this.byBytes.get(buf, pos, len);
    if (hit !== undefined) return hit;
    const a = this.utf8Atom(buf, at, pos, len);
    this.byBytes.set(buf, pos, len, a);
    return a;
  }

  private utf8Atom(buf: Buffer, at: number, pos: number, len: number): Atom {
    const max = this.limits.maxAtomLength;
    // A character is 1 to 4 bytes: decide the clear cases without counting.
    if (len > max * 4) this.fail('atom_length', at, `atom of ${len} bytes, over maxAtomLength`);
    let ascii = true;
    for (let i = 0; i < len; i++) {
      if (buf[pos + i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      if (len > max) this.fail('atom_length', at, `atom of ${len} characters, over maxAtomLength`);
      return this.intern(buf.toString('latin1', pos, pos + len), at);
    }
    const bytes = buf.subarray(pos, pos + len);
    if (!isUtf8(bytes)) this.fail('bad_utf8', at, 'atom text is not valid UTF-8');
    if (len > max) {
      let chars = 0;
      for (let i = 0; i < len; i++) if ((bytes[i] & 0xc0) !== 0x80) chars++;
      if (chars > max) this.fail('atom_length', at, `atom of ${chars} characters, over maxAtomLength`);
    }
    return this.intern(bytes.toString('utf8'), at);
  }

  /** The atom named `name`, counting it against `maxAtoms` if it is new. */
  private intern(name: string, at: number): Atom {
    const before = Atom.created;
    let a: Atom;
    try {
      a = Atom.of(name);
    } catch (e) {
      if (e instanceof AtomLimitError) throw new AtomLimitError(e.limit, at);
      throw e;
    }
    if (Atom.created !== before && ++this.newAtoms > this.limits.maxAtoms) {
      this.fail('atom_limit', at, `more than maxAtoms ${this.limits.maxAtoms} new atoms`);
    }
    return a;
  }

  /** SMALL_BIG_EXT or LARGE_BIG_EXT at `at`. */
  private big(buf: Buffer, at: number, end: number): number | bigint {
    let pos = at + 1;
    let n: number;
    if (buf[at] === Tag.SmallBig) {
      if (pos >= end) this.truncated(pos);
      n = buf[pos++];
    } else {
      if (end - pos < 4) this.truncated(pos);
      n = u32(buf, pos);
      pos += 4;
    }
    if (pos >= end) this.truncated(pos);
    const negative = buf[pos++] !== 0;
    if (end - pos < n) this.truncated(pos);
    if (n > this.limits.maxBigIntBytes)
      this.fail('bigint_limit', at, `integer of ${n} digit bytes, over maxBigIntBytes ${this.limits.maxBigIntBytes}`);
    this.p = pos + n;
    let m = n;
    while (m > 0 && buf[pos + m - 1] === 0) m--;
    // Up to 2^53 - 1 the value is a number: 6 digit bytes always, 7 when the top one is below 0x20.
    if (m <= NUMBER_DIGITS || (m === NUMBER_DIGITS + 1 && buf[pos + m - 1] < 0x20)) {
      let v = 0;
      for (let i = m - 1; i >= 0; i--) v = v * 256 + buf[pos + i];
      return negative && v !== 0 ? -v : v;
    }
    const hex = Buffer.allocUnsafe(m);
    for (let i = 0; i < m; i++) hex[i] = buf[pos + m - 1 - i];
    const v = BigInt('0x' + hex.toString('hex'));
    return negative ? -v : v;
  }

  /** An integer field written as an integer term (fun indices, export arity). */
  private smallInt(buf: Buffer, at: number, end: number): number {
    if (at >= end) this.truncated(at);
    const tag = buf[at];
    let v: number | bigint;
    if (tag === Tag.SmallInteger) {
      if (end - at < 2) this.truncated(at + 1);
      v = buf[at + 1];
      this.p = at + 2;
    } else if (tag === Tag.Integer) {
      if (end - at < 5) this.truncated(at + 1);
      v = (buf[at + 1] << 24) | (buf[at + 2] << 16) | (buf[at + 3] << 8) | buf[at + 4];
      this.p = at + 5;
    } else if (tag === Tag.SmallBig) {
      v = this.big(buf, at, end);
    } else {
      return this.fail('bad_tag', at, `expected an integer, got tag ${tag}`);
    }
    if (typeof v !== 'number') return this.fail('bad_value', at, 'integer field out of range');
    return v;
  }

  private pid(buf: Buffer, at: number, end: number): Pid {
    if (at >= end) this.truncated(at);
    const tag = buf[at];
    if (tag !== Tag.Pid && tag !== Tag.NewPid) this.fail('bad_tag', at, `expected a pid, got tag ${tag}`);
    const node = this.atom(buf, at + 1, end);
    let pos = this.p;
    const size = tag === Tag.NewPid ? 12 : 9;
    if (end - pos < size) this.truncated(pos);
    const id = u32(buf, pos);
    const serial = u32(buf, pos + 4);
    const creation = tag === Tag.NewPid ? u32(buf, pos + 8) : buf[pos + 8];
    pos += size;
    this.p = pos;
    return new Pid(node, id, serial, creation);
  }

  private port(buf: Buffer, at: number, end: number): Port {
    const tag = buf[at];
    const node = this.atom(buf, at + 1, end);
    const pos = this.p;
    if (tag === Tag.V4Port) {
      if (end - pos < 12) this.truncated(pos);
      const hi = u32(buf, pos);
      const lo = u32(buf, pos + 4);
      const id = hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
      this.p = pos + 12;
      return new Port(node, id, u32(buf, pos + 8), true);
    }
    const size = tag === Tag.NewPort ? 8 : 5;
    if (end - pos < size) this.truncated(pos);
    this.p = pos + size;
    return new Port(node, u32(buf, pos), tag === Tag.NewPort ? u32(buf, pos + 4) : buf[pos + 4]);
  }

  private reference(buf: Buffer, at: number, end: number): Reference {
    const tag = buf[at];
    if (tag === Tag.Reference) {
      const node = this.atom(buf, at + 1, end);
      const pos = this.p;
      if (end - pos < 5) this.truncated(pos);
      this.p = pos + 5;
      return new Reference(node, buf[pos + 4], [u32(buf, pos)]);
    }
    if (end - at < 3) this.truncated(at + 1);
    const words = u16(buf, at + 1);
    // BEAM (OTP 25 and later) accepts 0 to 5 words.
    if (words > 5) this.fail('bad_value', at + 1, `reference of ${words} words (at most 5)`);
    const node = this.atom(buf, at + 3, end);
    let pos = this.p;
    const creationSize = tag === Tag.NewerReference ? 4 : 1;
    if (end - pos < creationSize + 4 * words) this.truncated(pos);
    const creation = creationSize === 4 ? u32(buf, pos) : buf[pos];
    pos += creationSize;
    const ids = new Array<number>(words);
    for (let i = 0; i < words; i++, pos += 4) ids[i] = u32(buf, pos);
    this.p = pos;
    return new Reference(node, creation, ids);
  }

  /** BIT_BINARY_EXT at `at`: a bitstring, or a binary when all bits of the last byte count. */
  private bitBinary(buf: Buffer, at: number, end: number): Buffer | BitBinary {
    let pos = at + 1;
    if (end - pos < 5) this.truncated(pos);
    const n = u32(buf, pos);
    const bits = buf[pos + 4];
    pos += 5;
    if (end - pos < n) this.truncated(pos);
    this.p = pos + n;
    // As binary_to_term: no bytes means no bits; otherwise 1 to 8 bits of the last byte are used.
    if (n === 0 ? bits !== 0 : bits < 1 || bits > 8) this.fail('bad_value', at, `BIT_BINARY_EXT with ${n} bytes and ${bits} bits`);
    if (n === 0) return this.copyBinaries === CopyBinaries.None ? buf.subarray(pos, pos) : Buffer.alloc(0);
    if (bits === 8) return this.bytes(buf, pos, pos + n);
    // Unused low bits are not part of the value: clear them (in a copy) so equal bitstrings are equal bytes.
    const mask = (0xff << (8 - bits)) & 0xff;
    const last = buf[pos + n - 1];
    if ((last & mask) === last) return new BitBinary(this.bytes(buf, pos, pos + n), bits);
    const copy = Buffer.from(buf.subarray(pos, pos + n));
    copy[n - 1] = last & mask;
    return new BitBinary(copy, bits);
  }

  /** NEW_FUN_EXT after its tag, up to the free variables. */
  private newFunHead(buf: Buffer, pos: number, end: number): FunHead {
    // Size (ignored, as BEAM does), Arity, Uniq, Index, NumFree.
    if (end - pos < 29) this.truncated(pos);
    const arity = buf[pos + 4];
    const uniq = Buffer.from(buf.subarray(pos + 5, pos + 21));
    const index = u32(buf, pos + 21);
    const free = u32(buf, pos + 25);
    const module = this.atom(buf, pos + 29, end);
    const oldIndex = this.smallInt(buf, this.p, end);
    const oldUniq = this.smallInt(buf, this.p, end);
    const pid = this.pid(buf, this.p, end);
    return { module, arity, uniq, index, oldIndex, oldUniq, pid, legacy: false, free };
  }

  /** FUN_EXT (before R8) after its tag: NumFree, Pid, Module, Index, Uniq. */
  private oldFunHead(buf: Buffer, pos: number, end: number): FunHead {
    if (end - pos < 4) this.truncated(pos);
    const free = u32(buf, pos);
    const pid = this.pid(buf, pos + 4, end);
    const module = this.atom(buf, this.p, end);
    const index = this.smallInt(buf, this.p, end);
    const uniq = this.smallInt(buf, this.p, end);
    // FUN_EXT has no arity or MD5 uniq; the old index and uniq are all it identifies the fun by.
    return { module, arity: 0, uniq: EMPTY, index, oldIndex: index, oldUniq: uniq, pid, legacy: true, free };
  }

  /** FLOAT_EXT: 31 bytes of "%.20e" text, NUL-padded. */
  private oldFloat(buf: Buffer, pos: number, end: number): Term {
    if (end - pos < 31) this.truncated(pos);
    const nul = buf.indexOf(0, pos);
    const text = nul >= pos && nul < pos + 31 ? buf.toString('latin1', pos, nul) : '';
    const f = FLOAT_TEXT.test(text) ? Number(text.replace(',', '.')) : NaN;
    if (!Number.isFinite(f)) this.fail('bad_value', pos - 1, `FLOAT_EXT text ${JSON.stringify(text)} is not a finite float`);
    return this.wrapFloats ? new ErlFloat(f) : f;
  }
}

/** What an open level still needs (a byte for each value to come, and a list's tail) while its child is open. */
function openRest(kind: Frame, i: number, n: number): number {
  return kind === Frame.ListTail ? 0 : n - i - 1 + (kind === Frame.List ? 1 : 0);
}

function makeFun(h: FunHead, free: Term[]): Fun {
  return new Fun(h.module, h.arity, h.uniq, h.index, h.oldIndex, h.oldUniq, h.pid, free, h.legacy);
}

/** A Buffer view of the input: a plain Uint8Array is accepted too. */
function asBuffer(input: unknown): Buffer {
  if (Buffer.isBuffer(input)) return input;
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new DecodeError('bad_value', 0, 'input is not a Buffer');
}

const shared = new Decoder();

/**
 * Decode one term that starts with the version byte (see {@link Decoder.decode}). Without options
 * this uses a shared decoder; with options it makes one for the call, so keep your own
 * {@link Decoder} on hot paths that need options.
 */
export function decode(buf: Buffer, options?: DecodeOptions): Term {
  return (options === undefined ? shared : new Decoder(options)).decode(buf);
}
