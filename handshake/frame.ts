import { MalformedMessageError, OversizedMessageError } from './errors';
import type { SocketReader } from './transport/socket-reader';

/**
 * Largest handshake frame we accept. `{packet,2}` allows 65535 bytes, but the longest real
 * message (send_name with a 255-character UTF-8 name) is about 1 KiB.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 4096;

/** One `{packet,2}` frame's payload, read within `timeoutMs`. */
export async function readFrame(reader: SocketReader, timeoutMs: number, what: string): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  const length = (await reader.read(2, deadline, what)).readUInt16BE(0);
  if (length > MAX_HANDSHAKE_FRAME_BYTES) throw new OversizedMessageError(length, MAX_HANDSHAKE_FRAME_BYTES);
  if (length === 0) throw new MalformedMessageError(`empty frame where ${what} was expected`);
  return reader.read(length, deadline, what);
}
