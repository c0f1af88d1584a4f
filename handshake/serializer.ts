import { lengthPrefixed, PrefixWidth } from './transport/length-prefix';
import type { Challenge, ChallengeReply, SendName } from './messages';
import { HandshakeTag } from './messages';

// Handshake messages travel as `{packet,2}` frames over TCP and `{packet,4}` inside TLS
// (`width`); the names inside them carry a u16 length on both.
const frame = (payload: Buffer, width: PrefixWidth): Buffer => lengthPrefixed(payload, width);
const nameField = (name: string): Buffer => lengthPrefixed(Buffer.from(name, 'utf8'), 2);

/** `'N' | u64 flags | u32 creation | u16 len | name`. We only ever send the version-6 form. */
export function serializeSendName(message: SendName & { creation: number }, width: PrefixWidth = 2): Buffer {
  const fixed = Buffer.allocUnsafe(13);
  fixed.writeUInt8(HandshakeTag.Name, 0);
  fixed.writeBigUInt64BE(message.flags, 1);
  fixed.writeUInt32BE(message.creation >>> 0, 9);
  return frame(Buffer.concat([fixed, nameField(message.name)]), width);
}

/** `'s' | status text`. Also used for the initiator's `true`/`false` answer to `alive`. */
export function serializeStatus(status: string, width: PrefixWidth = 2): Buffer {
  return frame(Buffer.from(`s${status}`, 'latin1'), width);
}

/** `'s' | "named:" | u16 len | name | u32 creation`: the status granting a dynamic name. */
export function serializeNamedStatus(name: string, creation: number, width: PrefixWidth = 2): Buffer {
  const tail = Buffer.allocUnsafe(4);
  tail.writeUInt32BE(creation >>> 0, 0);
  return frame(Buffer.concat([Buffer.from('snamed:', 'latin1'), nameField(name), tail]), width);
}

/** `'N' | u64 flags | u32 challenge | u32 creation | u16 len | name`. */
export function serializeChallenge(message: Challenge, width: PrefixWidth = 2): Buffer {
  const fixed = Buffer.allocUnsafe(17);
  fixed.writeUInt8(HandshakeTag.Name, 0);
  fixed.writeBigUInt64BE(message.flags, 1);
  fixed.writeUInt32BE(message.challenge >>> 0, 9);
  fixed.writeUInt32BE(message.creation >>> 0, 13);
  return frame(Buffer.concat([fixed, nameField(message.name)]), width);
}

/** `'r' | u32 challenge | 16-byte digest`. */
export function serializeChallengeReply(message: ChallengeReply, width: PrefixWidth = 2): Buffer {
  const fixed = Buffer.allocUnsafe(5);
  fixed.writeUInt8(HandshakeTag.ChallengeReply, 0);
  fixed.writeUInt32BE(message.challenge >>> 0, 1);
  return frame(Buffer.concat([fixed, message.digest]), width);
}

/** `'a' | 16-byte digest`. */
export function serializeChallengeAck(digest: Buffer, width: PrefixWidth = 2): Buffer {
  return frame(Buffer.concat([Buffer.from([HandshakeTag.ChallengeAck]), digest]), width);
}
