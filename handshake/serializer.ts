import type { Challenge, ChallengeReply, SendName } from './messages';
import { HandshakeTag } from './messages';

/** Prefix a payload with its u16 length: handshake messages travel as `{packet,2}` frames. */
function frame(payload: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(2 + payload.length);
  framed.writeUInt16BE(payload.length, 0);
  payload.copy(framed, 2);
  return framed;
}

/** `'N' | u64 flags | u32 creation | u16 len | name`. We only ever send the version-6 form. */
export function serializeSendName(message: SendName & { creation: number }): Buffer {
  const name = Buffer.from(message.name, 'utf8');
  const payload = Buffer.allocUnsafe(15 + name.length);
  payload.writeUInt8(HandshakeTag.Name, 0);
  payload.writeBigUInt64BE(message.flags, 1);
  payload.writeUInt32BE(message.creation >>> 0, 9);
  payload.writeUInt16BE(name.length, 13);
  name.copy(payload, 15);
  return frame(payload);
}

/** `'s' | status text`. Also used for the initiator's `true`/`false` answer to `alive`. */
export function serializeStatus(status: string): Buffer {
  return frame(Buffer.from(`s${status}`, 'latin1'));
}

/** `'N' | u64 flags | u32 challenge | u32 creation | u16 len | name`. */
export function serializeChallenge(message: Challenge): Buffer {
  const name = Buffer.from(message.name, 'utf8');
  const payload = Buffer.allocUnsafe(19 + name.length);
  payload.writeUInt8(HandshakeTag.Name, 0);
  payload.writeBigUInt64BE(message.flags, 1);
  payload.writeUInt32BE(message.challenge >>> 0, 9);
  payload.writeUInt32BE(message.creation >>> 0, 13);
  payload.writeUInt16BE(name.length, 17);
  name.copy(payload, 19);
  return frame(payload);
}

/** `'r' | u32 challenge | 16-byte digest`. */
export function serializeChallengeReply(message: ChallengeReply): Buffer {
  const payload = Buffer.allocUnsafe(5 + message.digest.length);
  payload.writeUInt8(HandshakeTag.ChallengeReply, 0);
  payload.writeUInt32BE(message.challenge >>> 0, 1);
  message.digest.copy(payload, 5);
  return frame(payload);
}

/** `'a' | 16-byte digest`. */
export function serializeChallengeAck(digest: Buffer): Buffer {
  return frame(Buffer.concat([Buffer.from([HandshakeTag.ChallengeAck]), digest]));
}
