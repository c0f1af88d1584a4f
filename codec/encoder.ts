/**
 * The External Term Format encoder: terms -> bytes, byte for byte what OTP 25's
 * `term_to_binary(T, [{minor_version, 2}])` writes.
 *
 * Iterative (an explicit stack of containers being written), into one reused, growing buffer.
 */
import * as zlib from 'node:zlib';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from './terms';
import { ErlMap } from './erlmap';
import { compare, compareAtomNames } from './compare';
import { Tag } from './tags';
import { EncodeError } from './errors';
import { BEAM_MAX_ATOM_CHARACTERS, BEAM_MAX_BIG_BYTES } from './limits';

/**
 * Called for every atom an {@link Encoder.encodeWithoutVersion} writes (node names in pids, fun
 * modules and booleans included). Return an index 0..254 to write ATOM_CACHE_REF (82) with it, or
 * `undefined` to write the atom itself. The distribution layer collects the atoms of a message this
 * way, then writes the distribution header that defines the indices in front of the encoded terms.
 */
export type AtomCacheHook = (atom: Atom) => number | undefined;

/** Options of an {@link Encoder}. */
export interface EncodeOptions {
  /**
   * Compress like `term_to_binary(T, [{compressed, Level}])`: `true` is level 6 (BEAM's default),
   * a number is the zlib level 0..9 (0: no compression). As in BEAM, the uncompressed form is kept
   * when the compressed one would be longer. Only {@link Encoder.encode} compresses.
   */
  compressed?: boolean | number;
  /** Replace atoms by atom cache references; only {@link Encoder.encodeWithoutVersion} uses it. */
  atomCacheHook?: AtomCacheHook;
  /**
   * Nesting depth limit (default 1,000,000, as the decoder's). Depth costs heap, not call stack;
   * the limit turns a term that contains itself into an `EncodeError` instead of an endless loop.
   */
  maxDepth?: number;
}

const enum After {
  Nothing,
  /** Write NIL: the end of a proper list. */
  Nil,
  /** Encode `extra`: the tail of an improper list. */
  Tail,
  /** Write the byte count since `extra` at `extra`: NEW_FUN_EXT's Size field. */
  FunSize,
  /** Write `extra` NILs: the ends of a nest of one-element lists (see `Encoder.list`). */
  Nils,
}

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');
/** What a finished level holds instead of its items. */
const EMPTY_ITEMS: Term[] = [];
/** Levels kept for reuse after a deeply nested term; deeper ones are given back. */
const KEEP_LEVELS = 4096;

/**
 * Results are views of an output slab of at least this size, written straight into it (no copy
 * out), each after the last, as Node's own Buffer pool does; a full slab is replaced by a new one.
 */
const SLAB_SIZE = 64 * 1024;
/** A slab that grew bigger than this is left to its result instead of written on. */
const KEEP_SIZE = 4 * 1024 * 1024;
/**
 * In {@link Encoder.encodeChunks}, binaries of at least this many bytes are chunks of their own:
 * the caller's bytes, not copied (a writev entry costs less than copying this much).
 */
export const OWN_CHUNK_BYTES = 64 * 1024;
const EMPTY_SLAB = Buffer.alloc(0);
/** Room for any fixed-size part of a value; variable-size parts ask for their own. */
const SLACK = 32;
/** Binaries up to this many bytes are copied byte by byte. */
const SHORT_COPY = 64;
/** Small maps (at most this many keys) are written in map key order, as BEAM's flatmaps are. */
const FLATMAP_MAX = 32;
/** NEW_PORT_EXT holds port numbers of 28 bits; OTP 25 writes larger ones as V4_PORT_EXT. */
const MAX_V3_PORT = 0x0fffffff;
/** The most one-element lists one level stands for (a bound on the walk down a term that contains itself). */
const MAX_NEST = 1 << 16;

/** A container being written: its elements (or a map's keys and values) and what comes after them. */
class Level {
  items: Term[] = EMPTY_ITEMS;
  /** A map's values (its keys are in `items`), or null. */
  values: Term[] | null = null;
  /** The next element, and how many there are (twice the size, for a map). */
  index = 0;
  length = 0;
  after = After.Nothing;
  /** The tail of an improper list, where a fun's Size field is, or how many NILs end a nest. */
  extra: Term | number | undefined = undefined;
  /** This level's own array for a sorted map's keys and values, interleaved; reused. */
  readonly own: Term[] = [];

  /** Drop what a finished level references, so an encoded term is not kept alive by the encoder. */
  clear(): void {
    if (this.items === this.own) this.own.fill(undefined as unknown as Term, 0, this.length);
    this.items = EMPTY_ITEMS;
    this.values = null;
    this.extra = undefined;
  }
}

function isU32(x: unknown): boolean {
  return typeof x === 'number' && x >>> 0 === x;
}

function compressionLevel(compressed: boolean | number | undefined): number {
  if (compressed === undefined || compressed === false) return 0;
  if (compressed === true) return 6;
  if (!Number.isInteger(compressed) || compressed < 0 || compressed > 9) {
    throw new RangeError(`compressed must be a boolean or a zlib level 0..9, not ${String(compressed)}`);
  }
  return compressed;
}

/** Map key order: Erlang term order where integers come before floats. Atoms and small integers fast. */
function keyOrder(a: Term, b: Term): number {
  if (a instanceof Atom && b instanceof Atom) return compareAtomNames(a.name, b.name);
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return a - b;
  return compare(a, b, true);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return typeof value;
}

/**
 * Encodes terms. Keep one per connection (or use {@link encode}): its output buffer and stack are
 * reused between calls. Each call returns a fresh Buffer.
 */
export class Encoder {
  private readonly level: number;
  private readonly hook: AtomCacheHook | undefined;
  private readonly maxDepth: number;
  /** The output slab; `buf[start..]` is not yet handed out. */
  private buf: Buffer = EMPTY_SLAB;
  private start = 0;
  /** `buf` as a DataView, for writing several bytes at once. */
  private view: DataView = new DataView(EMPTY_SLAB.buffer, EMPTY_SLAB.byteOffset, 0);
  /** The slab was replaced during this call with its bytes at the same offsets: do not write on after it. */
  private retire = false;
  /** Bytes the last call wrote into the slab: the size of a fresh slab, when that is bigger. */
  private lastSize = 0;
  /** In {@link encodeChunks}: the chunks handed out so far, and the bytes of the binaries among them. */
  private chunks: Buffer[] | null = null;
  private ownBytes = 0;
  /** NEW_FUN_EXT levels open: their Size is patched later, so no binary inside one leaves the slab. */
  private openFuns = 0;

  /** The stack of containers being written; its objects are reused from call to call. */
  private readonly levels: Level[] = [];
  /** Levels in use. */
  private sp = 0;
  /** Nesting depth beyond `sp`: the levels that stand for several one-element lists add it. */
  private extraDepth = 0;
  /** The atom keys of the last small map sorted, and their order: maps of one shape sort once. */
  private sortedKeys: Term[] = [];
  private sortedOrder: number[] = [];
  /** Those keys' SMALL_ATOM_UTF8_EXT words in that order, when all of them are atoms that have them. */
  private sortedExts: Int32Array[] | null = null;
  private readonly rootBox: Term[] = [EMPTY_ITEMS];

  constructor(options: EncodeOptions = {}) {
    this.level = compressionLevel(options.compressed);
    this.hook = options.atomCacheHook;
    const depth = options.maxDepth ?? 1_000_000;
    if (!(Number.isInteger(depth) || depth === Infinity) || depth < 1)
      throw new RangeError(`maxDepth must be a positive integer, not ${depth}`);
    this.maxDepth = depth;
  }

  /**
   * `term_to_binary(term, [{minor_version, 2}])` byte for byte: 131 then the term (compressed
   * when the encoder was made with `compressed`; the zlib stream itself may differ from BEAM's,
   * as Node's zlib is not the one OTP links). An integral JS number is the integer of its exact
   * value however large (`2 ** 64` is 18446744073709551616); use {@link ErlFloat} for a float.
   * Throws {@link EncodeError} for what has no encoding.
   *
   * The result is a view of a larger shared slab, as `Buffer.allocUnsafe`'s small buffers are: its
   * bytes are its own, but `result.buffer` holds other results too.
   */
  encode(term: Term): Buffer {
    const from = this.begin();
    this.buf[from] = Tag.Version;
    const end = this.run(term, from + 1, undefined);
    if (this.level > 0) return this.compress(from, end);
    return this.finish(from, end);
  }

  /**
   * The term without the version byte (never compressed), as it follows a distribution header;
   * atoms go through the `atomCacheHook` when there is one. A view, as {@link encode}'s.
   */
  encodeWithoutVersion(term: Term): Buffer {
    const from = this.begin();
    return this.finish(from, this.run(term, from, this.hook));
  }

  /**
   * {@link encodeWithoutVersion}'s bytes as chunks appended to `out`, in order; returns their total
   * size. A binary of at least {@link OWN_CHUNK_BYTES} is a chunk of its own: the caller's bytes
   * themselves (a `Buffer` as it is, another `Uint8Array` as a Buffer view of it), not a copy, so
   * a socket can write it without copying it into a frame. Those bytes must therefore not change
   * until the chunks have been written. The chunks alternate: the encoder's bytes (views, as
   * {@link encode}'s result), such a binary, the encoder's bytes, ...
   */
  encodeChunks(term: Term, out: Buffer[]): number {
    const from = this.begin();
    this.chunks = out;
    this.ownBytes = 0;
    try {
      const end = this.run(term, from, this.hook);
      const start = this.start;
      if (end > start || this.ownBytes === 0) out.push(this.finish(start, end));
      else this.finish(start, end);
      return end - from + this.ownBytes;
    } finally {
      this.chunks = null;
    }
  }

  /** The version byte and the term in `buf[from..end)`, compressed as BEAM's term_to_binary decides. */
  private compress(from: number, end: number): Buffer {
    const size = end - from - 1;
    const packed = zlib.deflateSync(this.buf.subarray(from + 1, end), { level: this.level });
    // BEAM gives zlib room for size - 5 bytes: compressed output that fits is used, even if equal.
    if (packed.length > size - 5) return this.finish(from, end);
    this.finish(from, from);
    const out = Buffer.allocUnsafe(6 + packed.length);
    out[0] = Tag.Version;
    out[1] = Tag.Compressed;
    out.writeUInt32BE(size, 2);
    packed.copy(out, 6);
    return out;
  }

  /** Where this call writes: on in the slab, or at the start of a fresh one when the last result would not fit. */
  private begin(): number {
    this.retire = false;
    const need = this.lastSize + SLACK;
    if (this.buf.length - this.start < need) {
      this.useSlab(Buffer.allocUnsafe(need > SLAB_SIZE && need <= KEEP_SIZE ? need : SLAB_SIZE));
      this.start = 0;
    }
    return this.start;
  }

  private useSlab(slab: Buffer): void {
    this.buf = slab;
    this.view = new DataView(slab.buffer, slab.byteOffset, slab.length);
  }

  /** Hand out `buf[from..end)`; the slab goes on after it. */
  private finish(from: number, end: number): Buffer {
    const out = this.buf.subarray(from, end);
    this.lastSize = end - from;
    if (this.retire || this.buf.length > KEEP_SIZE) {
      this.useSlab(EMPTY_SLAB);
      this.start = 0;
    } else {
      this.start = end;
    }
    return out;
  }

  /**
   * A slab with room for `need` bytes at `pos`, holding `buf[start..pos)` at the same offsets (the
   * positions written so far stay valid). A new slab with bytes before `start` it never uses is
   * not written on after this call.
   */
  private grow(pos: number, need: number): Buffer {
    const start = this.start;
    const size = Math.max(SLAB_SIZE, start + 2 * (pos - start) + need);
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, start, start, pos);
    if (start > 0) this.retire = true;
    this.useSlab(bigger);
    return bigger;
  }

  /** Write `root` at `start`; returns the end. */
  private run(root: Term, start: number, hook: AtomCacheHook | undefined): number {
    const levels = this.levels;
    let buf = this.buf;
    let pos = start;
    // The root is the one element of a level of its own, so every value goes through one loop.
    this.rootBox[0] = root;
    this.sp = 0;
    this.extraDepth = 0;
    this.push(this.rootBox, null, 1, After.Nothing, undefined);
    try {
      levels: while (this.sp > 0) {
        const f = this.sp - 1;
        const level = levels[f];
        const list = level.items;
        const vals = level.values;
        const n = level.length;
        let i = level.index;
        while (i < n) {
          const t: Term = vals === null ? list[i] : (i & 1) === 0 ? list[i >> 1] : vals[i >> 1];
          i++;
          if (pos + SLACK > buf.length) buf = this.grow(pos, SLACK);
          // The common scalars inline. (instanceof beats dispatching on `constructor`: that load is megamorphic.)
          if (typeof t === 'number') {
            if ((t | 0) === t) {
              if (t >= 0 && t <= 255) {
                buf[pos] = Tag.SmallInteger;
                buf[pos + 1] = t;
                pos += 2;
              } else {
                buf[pos] = Tag.Integer;
                buf[pos + 1] = t >>> 24;
                buf[pos + 2] = t >>> 16;
                buf[pos + 3] = t >>> 8;
                buf[pos + 4] = t;
                pos += 5;
              }
              continue;
            }
          } else if (typeof t === 'object' && t !== null) {
            // Lists first: Array.isArray is a cheaper test than instanceof.
            if (Array.isArray(t)) {
              level.index = i;
              pos = this.list(pos, t);
              buf = this.buf;
              if (this.sp !== f + 1) continue levels;
              continue;
            }
            // Then tuples and maps (messages, records, lists of them), before the scalars below.
            if (t instanceof Tuple) {
              level.index = i;
              pos = this.tuple(pos, t, hook);
              buf = this.buf;
              if (this.sp !== f + 1) continue levels;
              continue;
            }
            if (t instanceof ErlMap) {
              level.index = i;
              pos = this.map(pos, t, hook);
              buf = this.buf;
              if (this.sp !== f + 1) continue levels;
              continue;
            }
            if (t instanceof Atom) {
              if (hook === undefined) {
                // The atom's bytes, as computed once for it (nearly all atoms have them).
                const ext = t.smallUtf8Ext ?? smallUtf8Ext(t);
                if (ext !== null) {
                  pos = this.putExt(pos, ext);
                  buf = this.buf;
                  continue;
                }
              }
              pos = this.atom(pos, t, hook);
              buf = this.buf;
              continue;
            }
            if (t instanceof Uint8Array) {
              const len = t.length;
              if (len <= SHORT_COPY) {
                // Fits in the slack plus SHORT_COPY: SLACK was checked, check the rest here.
                if (pos + 5 + len > buf.length) buf = this.grow(pos, 5 + len);
                buf[pos] = Tag.Binary;
                buf[pos + 1] = 0;
                buf[pos + 2] = 0;
                buf[pos + 3] = 0;
                buf[pos + 4] = len;
                pos += 5;
                for (let k = 0; k < len; k++) buf[pos + k] = t[k];
                pos += len;
                continue;
              }
              pos = this.binary(pos, t);
              buf = this.buf;
              continue;
            }
            if (t instanceof ErlFloat) {
              const v = t.value;
              if (v - v === 0) {
                // Finite (v - v is NaN for NaN and the infinities). SLACK covers the 9 bytes.
                buf[pos] = Tag.NewFloat;
                this.view.setFloat64(pos + 1, v);
                pos += 9;
                continue;
              }
              pos = this.float(pos, v);
              continue;
            }
          } else if (typeof t === 'boolean' && hook === undefined) {
            // 'true' / 'false' as SMALL_ATOM_UTF8_EXT. SLACK covers the 7 bytes.
            buf[pos] = Tag.SmallAtomUtf8;
            if (t) {
              buf[pos + 1] = 4;
              buf[pos + 2] = 0x74;
              buf[pos + 3] = 0x72;
              buf[pos + 4] = 0x75;
              buf[pos + 5] = 0x65;
              pos += 6;
            } else {
              buf[pos + 1] = 5;
              buf[pos + 2] = 0x66;
              buf[pos + 3] = 0x61;
              buf[pos + 4] = 0x6c;
              buf[pos + 5] = 0x73;
              buf[pos + 6] = 0x65;
              pos += 7;
            }
            continue;
          }
          // Everything rarer (which may open a level).
          level.index = i;
          if (t instanceof Pid) pos = this.pid(pos, t, hook);
          else if (t instanceof Reference) pos = this.reference(pos, t, hook);
          else pos = this.other(pos, t, hook);
          buf = this.buf;
          if (this.sp !== f + 1) continue levels;
        }
        // Level f is complete.
        const after = level.after;
        if (after === After.Tail) {
          // Now the tail of the improper list, as the single element of the same level.
          level.items = [level.extra as Term];
          level.index = 0;
          level.length = 1;
          level.after = After.Nothing;
          continue;
        }
        if (after === After.Nil) {
          if (pos + 1 > buf.length) buf = this.grow(pos, 1);
          buf[pos++] = Tag.Nil;
        } else if (after === After.FunSize) {
          const at = level.extra as number;
          put32(buf, at, pos - at);
          this.openFuns--;
        } else if (after === After.Nils) {
          const k = level.extra as number;
          if (pos + k > buf.length) buf = this.grow(pos, k);
          for (let j = 0; j < k; j++) buf[pos + j] = Tag.Nil;
          pos += k;
          this.extraDepth -= k - 1;
        }
        level.clear();
        this.sp = f;
      }
      return pos;
    } catch (e) {
      for (let f = 0; f < this.sp; f++) levels[f].clear();
      this.sp = 0;
      this.openFuns = 0;
      // Nothing of this call is handed out: the slab goes on where it was, unless it was replaced.
      if (this.retire) {
        this.useSlab(EMPTY_SLAB);
        this.start = 0;
      }
      throw e;
    } finally {
      this.rootBox[0] = EMPTY_ITEMS;
      if (levels.length > KEEP_LEVELS) levels.length = KEEP_LEVELS;
    }
  }

  /** Values the main loop does not write inline. Containers open a level here. */
  private other(pos: number, t: Term, hook: AtomCacheHook | undefined): number {
    switch (typeof t) {
      case 'number':
        return this.number(pos, t);
      case 'boolean':
        return this.atom(pos, t ? TRUE : FALSE, hook);
      case 'string':
        return this.stringBinary(pos, t);
      case 'bigint':
        return this.bigint(pos, t);
      case 'object':
        if (t === null) break;
        if (Array.isArray(t)) return this.list(pos, t);
        if (t instanceof Tuple) return this.tuple(pos, t, hook);
        if (t instanceof ErlMap) return this.map(pos, t, hook);
        if (t instanceof Atom) return this.atom(pos, t, hook);
        if (t instanceof Uint8Array) return this.binary(pos, t);
        if (t instanceof ErlFloat) return this.float(pos, t.value);
        if (t instanceof ImproperList) return this.improperList(pos, t, hook);
        if (t instanceof BitBinary) return this.bitBinary(pos, t);
        if (t instanceof Pid) return this.pid(pos, t, hook);
        if (t instanceof Reference) return this.reference(pos, t, hook);
        if (t instanceof Port) return this.port(pos, t, hook);
        if (t instanceof ExportFun) return this.exportFun(pos, t, hook);
        if (t instanceof Fun) return this.fun(pos, t, hook);
        break;
    }
    throw new EncodeError('not_a_term', `cannot encode ${describe(t)}`);
  }

  private push(list: Term[], vals: Term[] | null, n: number, after: After, extra: Term | number | undefined): void {
    const sp = this.sp;
    // Level 0 holds the root; the levels above it are containers.
    if (sp + this.extraDepth > this.maxDepth)
      throw new EncodeError('depth_limit', `nesting deeper than maxDepth ${this.maxDepth} (does the term contain itself?)`);
    const level = this.levels[sp] ?? (this.levels[sp] = new Level());
    level.items = list;
    level.values = vals;
    level.index = 0;
    level.length = n;
    level.after = after;
    level.extra = extra;
    this.sp = sp + 1;
  }

  private list(pos: number, t: Term[]): number {
    const n = t.length;
    let buf = this.buf;
    if (n === 0) {
      buf[pos] = Tag.Nil;
      return pos + 1;
    }
    if (n <= 0xffff && isByteList(t)) {
      buf = this.room(pos, 3 + n);
      buf[pos] = Tag.String;
      buf[pos + 1] = n >>> 8;
      buf[pos + 2] = n;
      pos += 3;
      for (let i = 0; i < n; i++) buf[pos + i] = t[i] as number;
      return pos + n;
    }
    if (n === 1) {
      const x = t[0];
      if (Array.isArray(x) && x.length === 1) return this.nest(pos, t);
    }
    pos = writeHeader(buf, pos, Tag.List, n);
    this.push(t, null, n, After.Nil, undefined);
    return pos;
  }

  /**
   * `[[...[X]...]]`: k one-element lists (each holding the next), around a last one-element list
   * `[X]` written as any list is. Their k headers are written at once, and one level stands for
   * all k: it holds `[[X]]`'s array, so its one element is `[X]`, and ends with k NILs.
   */
  private nest(pos: number, t: Term[]): number {
    let outer = t;
    let inner = t[0] as Term[];
    let k = 1;
    const room = this.maxDepth - (this.sp + this.extraDepth);
    for (;;) {
      const x = inner[0];
      if (!Array.isArray(x) || x.length !== 1 || k > room || k >= MAX_NEST) break;
      outer = inner;
      inner = x;
      k++;
    }
    // The level for the k-th list sits k - 1 deeper than one level would.
    if (this.sp + this.extraDepth + k - 1 > this.maxDepth)
      throw new EncodeError('depth_limit', `nesting deeper than maxDepth ${this.maxDepth} (does the term contain itself?)`);
    const buf = this.room(pos, 5 * k);
    for (let j = 0; j < k; j++, pos += 5) {
      buf[pos] = Tag.List;
      buf[pos + 1] = 0;
      buf[pos + 2] = 0;
      buf[pos + 3] = 0;
      buf[pos + 4] = 1;
    }
    this.push(outer, null, 1, After.Nils, k);
    this.extraDepth += k - 1;
    return pos;
  }

  private improperList(pos: number, t: ImproperList, hook: AtomCacheHook | undefined): number {
    // Flatten [a | [b | c]] to [a, b | c], and [a | [b]] to the proper list [a, b].
    let elements = t.elements;
    let tail = t.tail;
    if (tail instanceof ImproperList) {
      elements = elements.slice();
      while (tail instanceof ImproperList) {
        for (const e of tail.elements) elements.push(e);
        tail = tail.tail;
      }
    }
    if (Array.isArray(tail)) return this.list(pos, tail.length === 0 ? elements : elements.concat(tail));
    if (elements.length === 0) return this.other(pos, tail, hook);
    pos = writeHeader(this.buf, pos, Tag.List, elements.length);
    this.push(elements, null, elements.length, After.Tail, tail);
    return pos;
  }

  private tuple(pos: number, t: Tuple, hook: AtomCacheHook | undefined): number {
    const e = t.elements;
    const n = e.length;
    const buf = this.buf;
    if (n <= 255) {
      buf[pos] = Tag.SmallTuple;
      buf[pos + 1] = n;
      pos += 2;
    } else {
      pos = writeHeader(buf, pos, Tag.LargeTuple, n);
    }
    // Leaves are written here; a level only from the first container on.
    for (let j = 0; j < n; j++) {
      const next = this.leaf(pos, e[j], hook);
      if (next < 0) {
        this.push(e, null, n, After.Nothing, undefined);
        this.levels[this.sp - 1].index = j;
        return pos;
      }
      pos = next;
    }
    return pos;
  }

  private map(pos: number, m: ErlMap, hook: AtomCacheHook | undefined): number {
    const n = m.size;
    pos = writeHeader(this.buf, pos, Tag.Map, n);
    if (n === 0) return pos;
    // The encoder only reads the map's arrays.
    const keys = m.keysView() as Term[];
    const vals = m.valuesView() as Term[];
    if (m.wireOrder || n > FLATMAP_MAX) {
      this.push(keys, vals, 2 * n, After.Nothing, undefined);
      return pos;
    }
    // A small map in map key order. Leaves are written here; a level only from the first container on.
    const order = this.keyOrderOf(keys, n);
    // Atom keys as remembered with the order: their bytes without looking at what they are.
    const exts = hook === undefined ? this.sortedExts : null;
    for (let j = 0; j < n; j++) {
      const o = order[j];
      let buf = this.buf;
      let next: number;
      if (exts !== null) {
        // As putExt, with one room check for the key and the value after it.
        const words = exts[j];
        const w = words.length;
        if (pos + 4 * w + SLACK > buf.length) buf = this.grow(pos, 4 * w + SLACK);
        const view = this.view;
        for (let k = 0; k < w; k++) view.setInt32(pos + 4 * k, words[k]);
        pos += 2 + ((words[0] >>> 16) & 0xff);
      } else {
        next = this.leaf(pos, keys[o], hook);
        if (next < 0) return this.mapFrom(pos, keys, vals, order, j, 0);
        pos = next;
        buf = this.buf;
        if (pos + SLACK > buf.length) buf = this.grow(pos, SLACK);
      }
      // The common values inline, as in `run`; SLACK covers each.
      const v = vals[o];
      if (typeof v === 'number' && (v | 0) === v) {
        if (v >= 0 && v <= 255) {
          buf[pos] = Tag.SmallInteger;
          buf[pos + 1] = v;
          pos += 2;
        } else {
          buf[pos] = Tag.Integer;
          put32(buf, pos + 1, v);
          pos += 5;
        }
        continue;
      }
      if (v instanceof Uint8Array && v.length <= SLACK - 5) {
        const len = v.length;
        buf[pos] = Tag.Binary;
        put32(buf, pos + 1, len);
        pos += 5;
        for (let k = 0; k < len; k++) buf[pos + k] = v[k];
        pos += len;
        continue;
      }
      if (v instanceof ErlFloat && v.value - v.value === 0) {
        buf[pos] = Tag.NewFloat;
        this.view.setFloat64(pos + 1, v.value);
        pos += 9;
        continue;
      }
      if (typeof v === 'boolean' && hook === undefined) {
        const a = v ? TRUE : FALSE;
        pos = this.putExt(pos, a.smallUtf8Ext ?? (smallUtf8Ext(a) as Int32Array));
        continue;
      }
      next = this.leaf(pos, v, hook);
      if (next < 0) return this.mapFrom(pos, keys, vals, order, j, 1);
      pos = next;
    }
    return pos;
  }

  /** A level for a small map's entries from the `j`th in key order (its value first when `part` is 1). */
  private mapFrom(pos: number, keys: Term[], vals: Term[], order: number[], j: number, part: number): number {
    const n = keys.length - j;
    this.push(EMPTY_ITEMS, null, 2 * n, After.Nothing, undefined);
    const level = this.levels[this.sp - 1];
    const own = level.own;
    for (let i = 0; i < n; i++) {
      const o = order[j + i];
      own[2 * i] = keys[o];
      own[2 * i + 1] = vals[o];
    }
    level.items = own;
    level.index = part;
    return pos;
  }

  /**
   * Write `t` when it holds no other term (a number, atom, binary, pid, ...), the common ones
   * inline; returns the end, or -1 for a container (which needs a level) without writing anything.
   */
  private leaf(pos: number, t: Term, hook: AtomCacheHook | undefined): number {
    let buf = this.buf;
    if (pos + SLACK > buf.length) buf = this.grow(pos, SLACK);
    if (typeof t === 'number') {
      if ((t | 0) !== t) return this.number(pos, t);
      if (t >= 0 && t <= 255) {
        buf[pos] = Tag.SmallInteger;
        buf[pos + 1] = t;
        return pos + 2;
      }
      buf[pos] = Tag.Integer;
      put32(buf, pos + 1, t);
      return pos + 5;
    }
    if (typeof t === 'object' && t !== null) {
      if (t instanceof Atom) {
        if (hook !== undefined) return this.atom(pos, t, hook);
        const ext = t.smallUtf8Ext ?? smallUtf8Ext(t);
        return ext === null ? this.atom(pos, t, hook) : this.putExt(pos, ext);
      }
      // Tuples next: the usual container in a tuple.
      if (t instanceof Tuple) return -1;
      if (t instanceof Uint8Array) {
        const len = t.length;
        if (len > SHORT_COPY) return this.binary(pos, t);
        if (pos + 5 + len > buf.length) buf = this.grow(pos, 5 + len);
        buf[pos] = Tag.Binary;
        buf[pos + 1] = 0;
        buf[pos + 2] = 0;
        buf[pos + 3] = 0;
        buf[pos + 4] = len;
        pos += 5;
        for (let k = 0; k < len; k++) buf[pos + k] = t[k];
        return pos + len;
      }
      if (t instanceof ErlFloat) {
        const v = t.value;
        // Finite (v - v is NaN for NaN and the infinities). SLACK covers the 9 bytes.
        if (v - v !== 0) return this.float(pos, v);
        buf[pos] = Tag.NewFloat;
        this.view.setFloat64(pos + 1, v);
        return pos + 9;
      }
      if (t instanceof Pid) return this.pid(pos, t, hook);
      if (t instanceof Reference) return this.reference(pos, t, hook);
      if (Array.isArray(t) || t instanceof ErlMap || t instanceof ImproperList || t instanceof Fun) return -1;
    } else if (typeof t === 'boolean') {
      const a = t ? TRUE : FALSE;
      const ext = hook === undefined ? a.smallUtf8Ext : undefined;
      return ext ? this.putExt(pos, ext) : this.atom(pos, a, hook);
    }
    return this.other(pos, t, hook);
  }

  /**
   * The indices of `keys` in map key order (valid until the next call). Keys that are atoms or
   * primitives are remembered with their order: the next map with the same keys in the same order
   * (as in a list of records) reuses it without a comparison.
   */
  private keyOrderOf(keys: readonly Term[], n: number): number[] {
    const last = this.sortedKeys;
    const order = this.sortedOrder;
    if (last.length === n) {
      let j = 0;
      while (j < n && keys[j] === last[j]) j++;
      if (j === n) return order;
    }
    // An insertion sort of the indices (keys usually come nearly in order).
    let remember = true;
    order.length = n;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (typeof k === 'object' && !(k instanceof Atom)) remember = false;
      let j = i - 1;
      while (j >= 0 && keyOrder(keys[order[j]], k) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = i;
    }
    last.length = 0;
    this.sortedExts = null;
    if (remember) {
      for (let i = 0; i < n; i++) last.push(keys[i]);
      this.sortedExts = atomExts(keys, order);
    }
    return order;
  }

  /** A number: a float when not integral, else an integer of the smallest kind that holds it. */
  private number(pos: number, t: number): number {
    if (!Number.isInteger(t)) return this.float(pos, t);
    const buf = this.room(pos, 140);
    if ((t | 0) === t) {
      if (t >= 0 && t <= 255) {
        buf[pos] = Tag.SmallInteger;
        buf[pos + 1] = t;
        return pos + 2;
      }
      buf[pos] = Tag.Integer;
      buf.writeInt32BE(t, pos + 1);
      return pos + 5;
    }
    // A double's integer value has at most 128 digit bytes, and dividing it by 256 is exact.

    let v = Math.abs(t);
    let n = 0;
    while (v > 0) {
      buf[pos + 3 + n++] = v % 256;
      v = Math.floor(v / 256);
    }
    buf[pos] = Tag.SmallBig;
    buf[pos + 1] = n;
    buf[pos + 2] = t < 0 ? 1 : 0;
    return pos + 3 + n;
  }

  private exportFun(pos: number, t: ExportFun, hook: AtomCacheHook | undefined): number {
    this.buf[pos] = Tag.Export;
    pos = this.atom(pos + 1, t.module, hook);
    pos = this.atom(pos, t.function, hook);
    return this.integerField(pos, t.arity, 'export arity');
  }

  private fun(pos: number, t: Fun, hook: AtomCacheHook | undefined): number {
    const sizeAt = pos + 1;
    pos = this.funHead(pos, t, hook);
    const n = t.free.length;
    if (n > 0) {
      this.push(t.free, null, n, t.legacy ? After.Nothing : After.FunSize, sizeAt);
      if (!t.legacy) this.openFuns++;
    } else if (!t.legacy) put32(this.buf, sizeAt, pos - sizeAt);
    return pos;
  }

  /**
   * An atom's SMALL_ATOM_UTF8_EXT from its words (see `Atom.smallUtf8Ext`), four bytes a store:
   * cheaper than byte by byte. The padding of the last word lands past the end, where nothing is yet.
   */
  private putExt(pos: number, words: Int32Array): number {
    const n = words.length;
    if (pos + 4 * n > this.buf.length) this.grow(pos, 4 * n);
    const view = this.view;
    for (let k = 0; k < n; k++) view.setInt32(pos + 4 * k, words[k]);
    return pos + 2 + ((words[0] >>> 16) & 0xff);
  }

  /** Room for `need` more bytes at `pos`; returns the (possibly new) buffer. */
  private room(pos: number, need: number): Buffer {
    return pos + need > this.buf.length ? this.grow(pos, need) : this.buf;
  }

  private float(pos: number, f: number): number {
    if (!Number.isFinite(f)) throw new EncodeError('bad_float', `${f} is not an Erlang float`);
    const buf = this.room(pos, 9);
    buf[pos] = Tag.NewFloat;
    // A DataView store: cheaper than Buffer.writeDoubleBE's checks, or byte by byte.
    this.view.setFloat64(pos + 1, f);
    return pos + 9;
  }

  private atom(pos: number, a: Atom, hook: AtomCacheHook | undefined): number {
    if (!(a instanceof Atom)) throw new EncodeError('bad_value', `expected an atom, got ${describe(a)}`);
    if (hook !== undefined) {
      const ref = hook(a);
      if (ref !== undefined) {
        if (!Number.isInteger(ref) || ref < 0 || ref > 254) throw new EncodeError('bad_value', `atom cache index ${ref} is not 0..254`);
        const buf = this.room(pos, 2);
        buf[pos] = Tag.AtomCacheRef;
        buf[pos + 1] = ref;
        return pos + 2;
      }
    }
    const ext = a.smallUtf8Ext ?? smallUtf8Ext(a);
    // Nearly every atom: its bytes as computed once.
    if (ext !== null) return this.putExt(pos, ext);
    const name = a.name;
    const n = name.length;
    if (n > 255 && [...name].length > BEAM_MAX_ATOM_CHARACTERS) {
      throw new EncodeError('atom_too_long', `atom of ${[...name].length} characters (at most ${BEAM_MAX_ATOM_CHARACTERS})`);
    }
    const buf = this.room(pos, 3 + 3 * n);
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= 255) {
      buf[pos] = Tag.SmallAtomUtf8;
      buf[pos + 1] = bytes;
      return pos + 2 + buf.write(name, pos + 2, 'utf8');
    }
    buf[pos] = Tag.AtomUtf8;
    buf[pos + 1] = bytes >>> 8;
    buf[pos + 2] = bytes;
    return pos + 3 + buf.write(name, pos + 3, 'utf8');
  }

  /** A JS string: a binary of its UTF-8. */
  private stringBinary(pos: number, s: string): number {
    const n = s.length;
    const buf = this.room(pos, 5 + 3 * n);
    let bytes = 0;
    if (n <= 64) {
      while (bytes < n) {
        const c = s.charCodeAt(bytes);
        if (c >= 0x80) break;
        buf[pos + 5 + bytes++] = c;
      }
    }
    if (bytes < n) bytes = buf.write(s, pos + 5, 'utf8');
    buf[pos] = Tag.Binary;
    buf.writeUInt32BE(bytes, pos + 1);
    return pos + 5 + bytes;
  }

  private binary(pos: number, data: Uint8Array): number {
    const n = data.length;
    const chunks = this.chunks;
    const own = chunks !== null && n >= OWN_CHUNK_BYTES && this.openFuns === 0;
    const buf = this.room(pos, own ? 5 : 5 + n);
    buf[pos] = Tag.Binary;
    buf[pos + 1] = n >>> 24;
    buf[pos + 2] = n >>> 16;
    buf[pos + 3] = n >>> 8;
    buf[pos + 4] = n;
    pos += 5;
    if (own) {
      // The bytes so far, then the binary itself; the slab goes on after the header.
      chunks.push(buf.subarray(this.start, pos), Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, n));
      this.start = pos;
      this.ownBytes += n;
      return pos;
    }
    // Short binaries are copied by hand: cheaper than the call into TypedArray.set.
    if (n <= SHORT_COPY) for (let i = 0; i < n; i++) buf[pos + i] = data[i];
    else buf.set(data, pos);
    return pos + n;
  }

  private bitBinary(pos: number, b: BitBinary): number {
    const data = b.buffer;
    const n = data.length;
    const bits = b.bits;
    if (!Number.isInteger(bits) || bits < 0 || bits > 8 || (bits === 0 && n > 0)) {
      throw new EncodeError('bad_value', `bitstring with ${bits} bits in its last byte`);
    }
    if (n === 0 || bits === 8) return this.binary(pos, data);
    const buf = this.room(pos, 6 + n);
    buf[pos] = Tag.BitBinary;
    buf.writeUInt32BE(n, pos + 1);
    buf[pos + 5] = bits;
    buf.set(data, pos + 6);
    // BEAM writes the unused low bits of the last byte as zeros.
    buf[pos + 5 + n] &= (0xff << (8 - bits)) & 0xff;
    return pos + 6 + n;
  }

  private bigint(pos: number, v: bigint): number {
    if (v >= -0x80000000n && v <= 0x7fffffffn) {
      const n = Number(v);
      const buf = this.buf;
      if (n >= 0 && n <= 255) {
        buf[pos] = Tag.SmallInteger;
        buf[pos + 1] = n;
        return pos + 2;
      }
      buf[pos] = Tag.Integer;
      buf.writeInt32BE(n, pos + 1);
      return pos + 5;
    }
    const negative = v < 0n;
    let hex = (negative ? -v : v).toString(16);
    if (hex.length & 1) hex = '0' + hex;
    const n = hex.length >> 1;
    if (n > BEAM_MAX_BIG_BYTES)
      throw new EncodeError('integer_too_large', `integer of ${n} bytes (BEAM holds at most ${BEAM_MAX_BIG_BYTES})`);
    const buf = this.room(pos, 6 + n);
    if (n <= 255) {
      buf[pos] = Tag.SmallBig;
      buf[pos + 1] = n;
      pos += 2;
    } else {
      buf[pos] = Tag.LargeBig;
      buf.writeUInt32BE(n, pos + 1);
      pos += 5;
    }
    buf[pos++] = negative ? 1 : 0;
    // Digits least significant first: the big-endian hex bytes, reversed.
    const be = Buffer.from(hex, 'hex');
    for (let i = 0; i < n; i++) buf[pos + i] = be[n - 1 - i];
    return pos + n;
  }

  /** An integer written as an integer term (fun indices, export arity). */
  private integerField(pos: number, v: number, what: string): number {
    if (!Number.isSafeInteger(v)) throw new EncodeError('bad_value', `${what} ${String(v)} is not an integer`);
    const buf = this.room(pos, 5);
    if (v >= 0 && v <= 255) {
      buf[pos] = Tag.SmallInteger;
      buf[pos + 1] = v;
      return pos + 2;
    }
    if (v < -0x80000000 || v > 0x7fffffff) return this.bigint(pos, BigInt(v));
    buf[pos] = Tag.Integer;
    buf.writeInt32BE(v, pos + 1);
    return pos + 5;
  }

  private pid(pos: number, p: Pid, hook: AtomCacheHook | undefined): number {
    if (!isU32(p.id) || !isU32(p.serial) || !isU32(p.creation))
      throw new EncodeError('bad_value', 'pid id, serial and creation must be 32-bit unsigned integers');
    this.room(pos, 1)[pos] = Tag.NewPid;
    pos = this.atom(pos + 1, p.node, hook);
    const buf = this.room(pos, 12);
    put32(buf, pos, p.id);
    put32(buf, pos + 4, p.serial);
    put32(buf, pos + 8, p.creation);
    return pos + 12;
  }

  private port(pos: number, p: Port, hook: AtomCacheHook | undefined): number {
    const id = p.id;
    const valid = typeof id === 'bigint' ? id >= 0n && id <= 0xffffffffffffffffn : Number.isSafeInteger(id) && id >= 0;
    if (!valid || !isU32(p.creation)) throw new EncodeError('bad_value', 'port id must be a 64-bit and creation a 32-bit unsigned integer');
    const v4 = p.v4 || id > MAX_V3_PORT;
    this.room(pos, 1)[pos] = v4 ? Tag.V4Port : Tag.NewPort;
    pos = this.atom(pos + 1, p.node, hook);
    const buf = this.room(pos, 12);
    if (v4) {
      buf.writeBigUInt64BE(BigInt(id), pos);
      pos += 8;
    } else {
      put32(buf, pos, id as number);
      pos += 4;
    }
    put32(buf, pos, p.creation);
    return pos + 4;
  }

  private reference(pos: number, r: Reference, hook: AtomCacheHook | undefined): number {
    const ids = r.ids;
    const n = ids.length;
    if (n > 5 || !isU32(r.creation) || !ids.every(isU32))
      throw new EncodeError('bad_value', 'a reference has 32-bit unsigned creation and at most 5 such words');
    let buf = this.room(pos, 3);
    buf[pos] = Tag.NewerReference;
    buf[pos + 1] = 0;
    buf[pos + 2] = n;
    pos = this.atom(pos + 3, r.node, hook);
    buf = this.room(pos, 4 + 4 * n);
    put32(buf, pos, r.creation);
    pos += 4;
    for (let i = 0; i < n; i++, pos += 4) put32(buf, pos, ids[i]);
    return pos;
  }

  /** A fun up to its free variables (NEW_FUN_EXT with a Size to patch, or legacy FUN_EXT). */
  private funHead(pos: number, f: Fun, hook: AtomCacheHook | undefined): number {
    if (!(f.pid instanceof Pid)) throw new EncodeError('bad_value', `a fun's pid must be a Pid, not ${describe(f.pid)}`);
    if (!isU32(f.free.length)) throw new EncodeError('bad_value', 'too many free variables');
    if (f.legacy) {
      const buf = this.room(pos, 5);
      buf[pos] = Tag.Fun;
      buf.writeUInt32BE(f.free.length, pos + 1);
      pos = this.pid(pos + 5, f.pid, hook);
      pos = this.atom(pos, f.module, hook);
      pos = this.integerField(pos, f.index, 'fun index');
      return this.integerField(pos, f.oldUniq, 'fun uniq');
    }
    if (f.uniq.length !== 16 || !Number.isInteger(f.arity) || f.arity < 0 || f.arity > 255 || !isU32(f.index)) {
      throw new EncodeError('bad_value', 'a fun has a 16-byte uniq, an arity 0..255 and a 32-bit index');
    }
    const buf = this.room(pos, 30);
    buf[pos] = Tag.NewFun;
    // pos + 1: Size, written when the fun's end is known.
    buf[pos + 5] = f.arity;
    buf.set(f.uniq, pos + 6);
    buf.writeUInt32BE(f.index, pos + 22);
    buf.writeUInt32BE(f.free.length, pos + 26);
    pos = this.atom(pos + 30, f.module, hook);
    pos = this.integerField(pos, f.oldIndex, 'fun old index');
    pos = this.integerField(pos, f.oldUniq, 'fun old uniq');
    return this.pid(pos, f.pid, hook);
  }
}

/** A proper list of 0..255 integers: what BEAM writes as STRING_EXT. */
function isByteList(list: Term[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x !== 'number' || (x & 255) !== x) return false;
  }
  return true;
}

/** A big-endian 32-bit word, written by hand: cheaper than Buffer.writeUInt32BE's checks. */
function put32(buf: Buffer, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = v >>> 16;
  buf[pos + 2] = v >>> 8;
  buf[pos + 3] = v;
}

function writeHeader(buf: Buffer, pos: number, tag: Tag, n: number): number {
  if (!isU32(n)) throw new EncodeError('bad_value', `${n} elements do not fit the format`);
  buf[pos] = tag;
  buf[pos + 1] = n >>> 24;
  buf[pos + 2] = n >>> 16;
  buf[pos + 3] = n >>> 8;
  buf[pos + 4] = n;
  return pos + 5;
}

/**
 * The SMALL_ATOM_UTF8_EXT bytes of `a`, or null when its UTF-8 is longer than 255 bytes;
 * remembered on the atom (atoms are interned, so each is computed once).
 */
function smallUtf8Ext(a: Atom): Int32Array | null {
  const name = a.name;
  let ext: Int32Array | null = null;
  if (name.length <= 255) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= 255) {
      const padded = Buffer.alloc((2 + bytes + 3) & ~3);
      padded[0] = Tag.SmallAtomUtf8;
      padded[1] = bytes;
      padded.write(name, 2, 'utf8');
      ext = new Int32Array(padded.length >> 2);
      for (let k = 0; k < ext.length; k++) ext[k] = padded.readInt32BE(4 * k);
    }
  }
  a.smallUtf8Ext = ext;
  return ext;
}

/** The `smallUtf8Ext` of `keys[order[0]]`, `keys[order[1]]`, ...; null unless each is an atom that has one. */
function atomExts(keys: readonly Term[], order: number[]): Int32Array[] | null {
  const exts: Int32Array[] = [];
  for (const o of order) {
    const k = keys[o];
    const ext = k instanceof Atom ? (k.smallUtf8Ext ?? smallUtf8Ext(k)) : null;
    if (ext === null) return null;
    exts.push(ext);
  }
  return exts;
}

const shared = new Encoder();

/**
 * Encode `term` with the version byte (see {@link Encoder.encode}). Without options this uses a
 * shared encoder; with options it makes one for the call, so keep your own {@link Encoder} on hot
 * paths that need options.
 */
export function encode(term: Term, options?: EncodeOptions): Buffer {
  return (options === undefined ? shared : new Encoder(options)).encode(term);
}
