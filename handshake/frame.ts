import { readLengthPrefix } from './transport/length-prefix';
import type { SocketReader } from './transport/socket-reader';
import { MalformedMessageError, OversizedMessageError } from './errors';

/**
 * Largest handshake frame we accept. `{packet,2}` allows 65535 bytes, but the longest real
 * message (send_name with a 255-character UTF-8 name) is about 1 KiB.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 4096;

/** One `{packet,2}` frame's payload, read within `timeout` ms. */
export async function readFrame(reader: SocketReader, timeout: number, what: string): Promise<Buffer> {
  const deadline = Date.now() + timeout;
  const length = readLengthPrefix(await reader.read(2, deadline, what), 2);
  if (length > MAX_HANDSHAKE_FRAME_BYTES) throw new OversizedMessageError(length, MAX_HANDSHAKE_FRAME_BYTES);
  if (length === 0) throw new MalformedMessageError(`empty frame where ${what} was expected`);
  return reader.read(length, deadline, what);
}
