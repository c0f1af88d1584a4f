/**
 * Characters as the io system reads them from terms: chardata (code points and UTF-8 binaries)
 * and Latin-1 iodata, in nested lists walked without recursion (peers may send them 100,000 deep);
 * and lengths and truncation counted in grapheme clusters, as OTP's `string` module counts them.
 */
import { ImproperList, Term } from '../../codec';

/**
 * How to read a term as characters:
 * - `latin1`: integers 0..255 and binary bytes are Latin-1 characters (`unicode:characters_to_binary(D, latin1)`, `~s`);
 * - `unicode`: integers are code points, binaries must be UTF-8 (`unicode:characters_to_binary(D)`, put_chars);
 * - `unicode-or-bytes`: as `unicode`, but a binary that is not UTF-8 is read as Latin-1 bytes, as `~ts` does.
 */
export type CharsEncoding = 'latin1' | 'unicode' | 'unicode-or-bytes';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `c` is a Unicode scalar value, the only integers a UTF-8 binary can hold. */
export function isCodePoint(c: number): boolean {
  return Number.isInteger(c) && c >= 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

function binaryText(data: Buffer, encoding: CharsEncoding): string | undefined {
  if (encoding === 'latin1') return data.toString('latin1');
  try {
    return utf8.decode(data);
  } catch {
    return encoding === 'unicode' ? undefined : data.toString('latin1');
  }
}

/**
 * The characters of `data` (a binary, or a possibly deep list of characters and binaries whose
 * tail may be a binary), or undefined when `data` is not such a term in `encoding`.
 */
export function charsOf(data: Term, encoding: CharsEncoding): string | undefined {
  if (typeof data === 'number') return undefined;
  const limit = encoding === 'latin1' ? 0xff : 0x10ffff;
  const parts: string[] = [];
  // Characters not yet turned into a string, in chunks that String.fromCodePoint takes at once.
  let codes: number[] = [];
  const flush = (): void => {
    if (codes.length > 0) parts.push(String.fromCodePoint(...codes));
    codes = [];
  };
  // Lists being read and where in each; a binary or improper tail waits in `tails`.
  const lists: Term[][] = [];
  const at: number[] = [];
  const tails: Array<Term | undefined> = [];
  let item: Term | undefined = data;
  for (;;) {
    if (item === undefined) {
      // Take the next item of the innermost list, or finish the list.
      const depth = lists.length - 1;
      if (depth < 0) break;
      if (at[depth] < lists[depth].length) item = lists[depth][at[depth]++];
      else {
        item = tails[depth];
        lists.pop();
        at.pop();
        tails.pop();
        continue;
      }
    }
    if (typeof item === 'number') {
      if (!isCodePoint(item) || item > limit) return undefined;
      codes.push(item);
      if (codes.length === 4096) flush();
    } else if (Buffer.isBuffer(item) || typeof item === 'string') {
      const text = binaryText(Buffer.isBuffer(item) ? item : Buffer.from(item, 'utf8'), encoding);
      if (text === undefined) return undefined;
      flush();
      parts.push(text);
    } else if (Array.isArray(item)) {
      lists.push(item);
      at.push(0);
      tails.push(undefined);
    } else if (
      item instanceof ImproperList &&
      (item.tail instanceof ImproperList || Array.isArray(item.tail) || Buffer.isBuffer(item.tail))
    ) {
      lists.push(item.elements);
      at.push(0);
      tails.push(item.tail);
    } else {
      return undefined;
    }
    item = undefined;
  }
  flush();
  return parts.join('');
}

/**
 * Whether `data` is a deep list of characters (io_lib:deep_char_list): no binaries, and no
 * surrogates, U+FFFE or U+FFFF.
 */
export function isDeepCharList(data: Term): boolean {
  const stack: Term[] = [data];
  while (stack.length > 0) {
    const item = stack.pop() as Term;
    if (Array.isArray(item)) {
      for (const x of item) {
        if (Array.isArray(x)) stack.push(x);
        else if (typeof x !== 'number' || !isCodePoint(x) || x === 0xfffe || x === 0xffff) return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

let segmenter: Intl.Segmenter | undefined;

function graphemes(s: string): Iterable<Intl.SegmentData> {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return segmenter.segment(s);
}

/** Whether every character of `s` is Latin-1. */
export function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Whether every character of `s` is one grapheme cluster: Latin-1 without CR (CR LF is one cluster). */
function simple(s: string): boolean {
  return isLatin1(s) && !s.includes('\r');
}

/** string:length/1: the number of grapheme clusters. */
export function stringLength(s: string): number {
  if (simple(s)) return s.length;
  let n = 0;
  for (const _ of graphemes(s)) n++;
  return n;
}

/**
 * io_lib:chars_length/1: the number of characters when all are Latin-1 (it is iolist_size/1
 * then, so CR LF counts 2), else the number of grapheme clusters.
 */
export function charsLength(s: string): number {
  return isLatin1(s) ? s.length : stringLength(s);
}

/** string:slice(S, 0, N): the first `n` grapheme clusters. */
export function sliceGraphemes(s: string, n: number): string {
  if (simple(s)) return s.slice(0, n);
  let end = 0;
  let count = 0;
  for (const g of graphemes(s)) {
    if (count === n) break;
    end = g.index + g.segment.length;
    count++;
  }
  return s.slice(0, end);
}
