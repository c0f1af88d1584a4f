import { lengthPrefixedAt } from './transport/length-prefix';
import { DIGEST_LENGTH } from './digest';
import { MalformedMessageError } from './errors';
import type { Challenge, ChallengeReply, Complement, SendName, StatusMessage } from './messages';
import { HandshakeTag } from './messages';

const STATUSES = new Set(['ok', 'ok_simultaneous', 'nok', 'not_allowed', 'alive']);

function need(payload: Buffer, length: number, what: string): void {
  if (payload.length < length) {
    throw new MalformedMessageError(`${what} has ${payload.length} bytes, needs at least ${length}`);
  }
}

/** A u16-length-prefixed name at `offset`, and the offset just past it. */
function nameAt(payload: Buffer, offset: number, what: string): { name: string; end: number } {
  const field = lengthPrefixedAt(payload, 2, offset);
  if (!field) throw new MalformedMessageError(`${what} has ${payload.length} bytes, too few for the name it announces`);
  return { name: field.value.toString('utf8'), end: field.end };
}

/** The initiator's first message: `'N'` (version 6) or the old `'n'` (version 5). */
export function parseSendName(payload: Buffer): SendName {
  if (payload[0] === HandshakeTag.Name) {
    need(payload, 15, 'send_name');
    return {
      flags: payload.readBigUInt64BE(1),
      creation: payload.readUInt32BE(9),
      name: nameAt(payload, 13, 'send_name').name,
    };
  }
  if (payload[0] === HandshakeTag.OldName) {
    need(payload, 7, 'old send_name');
    return { flags: BigInt(payload.readUInt32BE(3)), creation: null, name: payload.toString('utf8', 7) };
  }
  throw new MalformedMessageError(`expected send_name ('N' or 'n'), got tag ${payload[0]}`);
}

/** The acceptor's `'s'` status, including `named:` (name and creation of a dynamic name). */
export function parseStatus(payload: Buffer): StatusMessage {
  if (payload[0] !== HandshakeTag.Status) throw new MalformedMessageError(`expected a status, got tag ${payload[0]}`);
  const text = payload.toString('latin1', 1);
  if (text.startsWith('named:')) {
    const { name, end } = nameAt(payload, 1 + 'named:'.length, 'named: status');
    need(payload, end + 4, 'named: status');
    return { status: 'named', name, creation: payload.readUInt32BE(end) };
  }
  if (!STATUSES.has(text)) throw new MalformedMessageError(`unknown status ${JSON.stringify(text)}`);
  return { status: text as Exclude<StatusMessage['status'], 'named'> };
}

/** The initiator's `true`/`false` answer to status `alive`. */
export function parseAliveAnswer(payload: Buffer): boolean {
  const text = payload.toString('latin1');
  if (text === 'strue') return true;
  if (text === 'sfalse') return false;
  throw new MalformedMessageError(`expected strue or sfalse after alive, got ${JSON.stringify(text)}`);
}

/** The acceptor's `'N'` challenge. */
export function parseChallenge(payload: Buffer): Challenge {
  if (payload[0] !== HandshakeTag.Name) throw new MalformedMessageError(`expected a challenge ('N'), got tag ${payload[0]}`);
  need(payload, 19, 'challenge');
  return {
    flags: payload.readBigUInt64BE(1),
    challenge: payload.readUInt32BE(9),
    creation: payload.readUInt32BE(13),
    name: nameAt(payload, 17, 'challenge').name,
  };
}

/** The `'c'` complement after an old `'n'`: exactly 9 bytes. */
export function parseComplement(payload: Buffer): Complement {
  if (payload[0] !== HandshakeTag.Complement || payload.length !== 9) {
    throw new MalformedMessageError("expected a 9-byte complement ('c') after the old send_name");
  }
  return { flagsHigh: payload.readUInt32BE(1), creation: payload.readUInt32BE(5) };
}

/** The `'r'` challenge reply: exactly 21 bytes, as erl insists. */
export function parseChallengeReply(payload: Buffer): ChallengeReply {
  if (payload[0] !== HandshakeTag.ChallengeReply || payload.length !== 5 + DIGEST_LENGTH) {
    throw new MalformedMessageError(`expected a ${5 + DIGEST_LENGTH}-byte challenge reply ('r')`);
  }
  return { challenge: payload.readUInt32BE(1), digest: Buffer.from(payload.subarray(5)) };
}

/** The `'a'` challenge ack's digest: exactly 17 bytes. */
export function parseChallengeAck(payload: Buffer): Buffer {
  if (payload[0] !== HandshakeTag.ChallengeAck || payload.length !== 1 + DIGEST_LENGTH) {
    throw new MalformedMessageError(`expected a ${1 + DIGEST_LENGTH}-byte challenge ack ('a')`);
  }
  return Buffer.from(payload.subarray(1));
}
