import { PrefixWidth, readLengthPrefix } from './transport/length-prefix';
import type { SocketReader } from './transport/socket-reader';
import { MalformedMessageError, OversizedMessageError } from './errors';

/**
 * Largest handshake frame we accept. `{packet,2}` allows 65535 bytes (and TLS's `{packet,4}`
 * far more), but the longest real message (send_name with a 255-character UTF-8 name) is
 * about 1 KiB.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 4096;

/**
 * One handshake frame's payload, read within `timeout` ms: `{packet,2}` over TCP, `{packet,4}`
 * inside TLS (`width`).
 */
export async function readFrame(reader: SocketReader, timeout: number, what: string, width: PrefixWidth = 2): Promise<Buffer> {
  const deadline = Date.now() + timeout;
  const length = readLengthPrefix(await reader.read(width, deadline, what), width);
  if (length > MAX_HANDSHAKE_FRAME_BYTES) throw new OversizedMessageError(length, MAX_HANDSHAKE_FRAME_BYTES);
  if (length === 0) throw new MalformedMessageError(`empty frame where ${what} was expected`);
  return reader.read(length, deadline, what);
}
