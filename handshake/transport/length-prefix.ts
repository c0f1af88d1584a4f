/**
 * Width in bytes of a big-endian length prefix: 2 for `{packet,2}` (handshake messages, EPMD
 * requests, the names inside them), 4 for `{packet,4}` (distribution frames, lib_chan).
 */
export type PrefixWidth = 2 | 4;

const MAX_LENGTH: Record<PrefixWidth, number> = { 2: 0xffff, 4: 0xffffffff };

/** Write `length` as a big-endian prefix of `width` bytes at `offset` of `into` (for frames written in parts). */
export function writeLengthPrefix(into: Buffer, length: number, width: PrefixWidth, offset = 0): void {
  if (length > MAX_LENGTH[width]) throw new RangeError(`${length} bytes do not fit a ${width}-byte length prefix`);
  if (width === 2) into.writeUInt16BE(length, offset);
  else into.writeUInt32BE(length, offset);
}

/** `payload` behind its length as a big-endian u16 or u32. */
export function lengthPrefixed(payload: Buffer, width: PrefixWidth): Buffer {
  const framed = Buffer.allocUnsafe(width + payload.length);
  writeLengthPrefix(framed, payload.length, width);
  payload.copy(framed, width);
  return framed;
}

/** The big-endian length prefix of `width` bytes at `offset`. */
export function readLengthPrefix(bytes: Buffer, width: PrefixWidth, offset = 0): number {
  return width === 2 ? bytes.readUInt16BE(offset) : bytes.readUInt32BE(offset);
}

/**
 * The length-prefixed field at `offset` (a view into `bytes`) and the offset just past it, or
 * null when `bytes` ends before the field does.
 */
export function lengthPrefixedAt(bytes: Buffer, width: PrefixWidth, offset = 0): { value: Buffer; end: number } | null {
  if (bytes.length < offset + width) return null;
  const end = offset + width + readLengthPrefix(bytes, width, offset);
  return bytes.length < end ? null : { value: bytes.subarray(offset + width, end), end };
}
