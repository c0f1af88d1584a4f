/**
 * The acceptor's side of the handshake (dist_util's `handshake_other_started`) fed what a hostile
 * initiator sends: send_name (`'N'`, or the old `'n'` and its complement), the answer to `alive`
 * and the challenge reply, framed `{packet,2}` or `{packet,4}`. The real state machine runs on an
 * in-memory socket, so the checks between the messages are explored too, not only the parsers.
 *
 * Input: one byte of choices (the status our side decides, the prefix width), then the bytes the
 * initiator sends, after which it closes.
 */
import {
  acceptHandshake,
  advertisedFlags,
  challengeDigest,
  Cookie,
  DistFlag,
  HandshakeError,
  HandshakeStatus,
  lengthPrefixed,
  PrefixWidth,
} from '../../handshake';
import { serializeChallengeReply, serializeSendName, serializeStatus } from '../../handshake/serializer';
import type { FuzzTarget } from '../target';
import { MemorySocket } from '../support/memory-socket';

const STATUSES: readonly HandshakeStatus[] = ['ok', 'ok_simultaneous', 'alive', 'nok', 'not_allowed'];
const COOKIE = Cookie.fromString('fuzzcookie');
const PEER = 'initiator@localhost';

/** The choices byte: status index in the low bits, `{packet,4}` when bit 7 is set. */
function choices(status: HandshakeStatus, width: PrefixWidth): Buffer {
  return Buffer.from([STATUSES.indexOf(status) | (width === 4 ? 0x80 : 0)]);
}

/** The old version-5 send_name erl no longer sends but still accepts: `'n' | u16 5 | u32 flags | name`. */
function oldSendName(flags: bigint, name: string, width: PrefixWidth): Buffer {
  const fixed = Buffer.alloc(7);
  fixed[0] = 110;
  fixed.writeUInt16BE(5, 1);
  fixed.writeUInt32BE(Number(flags & 0xffffffffn), 3);
  return lengthPrefixed(Buffer.concat([fixed, Buffer.from(name, 'utf8')]), width);
}

function complement(flags: bigint, creation: number, width: PrefixWidth): Buffer {
  const body = Buffer.alloc(9);
  body[0] = 99;
  body.writeUInt32BE(Number(flags >> 32n), 1);
  body.writeUInt32BE(creation, 5);
  return lengthPrefixed(body, width);
}

function seeds(): Buffer[] {
  const flags = advertisedFlags({ visible: true });
  const reply = (width: PrefixWidth) => serializeChallengeReply({ challenge: 0x1234abcd, digest: challengeDigest(COOKIE, 42) }, width);
  const out: Buffer[] = [];
  for (const width of [2, 4] as const) {
    const hello = serializeSendName({ flags, creation: 7, name: PEER }, width);
    out.push(Buffer.concat([choices('ok', width), hello, reply(width)]));
    out.push(Buffer.concat([choices('alive', width), hello, serializeStatus('true', width), reply(width)]));
    out.push(Buffer.concat([choices('alive', width), hello, serializeStatus('false', width)]));
    out.push(Buffer.concat([choices('nok', width), hello]));
    out.push(Buffer.concat([choices('ok', width), oldSendName(flags, PEER, width), complement(flags, 9, width), reply(width)]));
    // A peer asking for a dynamic name sends only its host.
    const nameMe = serializeSendName({ flags: flags | DistFlag.NAME_ME, creation: 0, name: 'localhost' }, width);
    out.push(Buffer.concat([choices('ok', width), nameMe, reply(width)]));
  }
  return out;
}

export const target: FuzzTarget = {
  name: 'handshake-acceptor',
  covers: [
    'handshake/acceptor.ts',
    'handshake/parser.ts',
    'handshake/frame.ts',
    'handshake/channel.ts',
    'handshake/node-name.ts',
    'handshake/flags.ts',
  ],
  seeds,
  async run(input) {
    const status = STATUSES[((input[0] ?? 0) & 0x7f) % STATUSES.length];
    const width: PrefixWidth = (input[0] ?? 0) & 0x80 ? 4 : 2;
    const socket = MemorySocket.replaying(input.subarray(1));
    await acceptHandshake(socket.asSocket, {
      ourName: 'acceptor@localhost',
      cookie: COOKIE,
      creation: 11,
      timeout: 200,
      handshakePrefixWidth: width,
      decideStatus: () => status,
    });
  },
  expected: (error) => error instanceof HandshakeError,
  dictionary: [
    Buffer.from('N'),
    Buffer.from('n'),
    Buffer.from('strue'),
    Buffer.from('sfalse'),
    Buffer.from('c'),
    Buffer.from('r'),
    Buffer.from('@localhost'),
  ],
};
