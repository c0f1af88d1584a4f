/**
 * The initiator's side of the handshake (dist_util's `handshake_we_started`) fed what a hostile
 * acceptor sends: the status (`named:` included), the challenge and the challenge ack, framed
 * `{packet,2}` or `{packet,4}`. The real state machine runs on an in-memory socket.
 *
 * Input: one byte of choices (the prefix width, our answer to `alive`), then the bytes the
 * acceptor sends, after which it closes.
 */
import { advertisedFlags, challengeDigest, Cookie, HandshakeError, initiateHandshake, PrefixWidth } from '../../handshake';
import { serializeChallenge, serializeChallengeAck, serializeNamedStatus, serializeStatus } from '../../handshake/serializer';
import type { FuzzTarget } from '../target';
import { MemorySocket } from '../support/memory-socket';

const COOKIE = Cookie.fromString('fuzzcookie');
const PEER = 'acceptor@localhost';

function seeds(): Buffer[] {
  const flags = advertisedFlags({ visible: true });
  const out: Buffer[] = [];
  for (const width of [2, 4] as const) {
    const choice = Buffer.from([width === 4 ? 0x80 : 0]);
    const challenge = serializeChallenge({ flags, challenge: 0x0badcafe, creation: 3, name: PEER }, width);
    const ack = serializeChallengeAck(challengeDigest(COOKIE, 42), width);
    for (const status of ['ok', 'ok_simultaneous', 'alive'])
      out.push(Buffer.concat([choice, serializeStatus(status, width), challenge, ack]));
    out.push(Buffer.concat([Buffer.from([choice[0] | 1]), serializeStatus('alive', width), challenge, ack]));
    for (const status of ['nok', 'not_allowed']) out.push(Buffer.concat([choice, serializeStatus(status, width)]));
    out.push(Buffer.concat([choice, serializeNamedStatus('dyn@localhost', 5, width), challenge, ack]));
    // A challenge lacking the flags OTP 26 requires.
    out.push(
      Buffer.concat([
        choice,
        serializeStatus('ok', width),
        serializeChallenge({ flags: 0x4n, challenge: 1, creation: 3, name: PEER }, width),
      ]),
    );
  }
  return out;
}

export const target: FuzzTarget = {
  name: 'handshake-initiator',
  covers: ['handshake/initiator.ts', 'handshake/parser.ts', 'handshake/frame.ts', 'handshake/channel.ts', 'handshake/flags.ts'],
  seeds,
  async run(input) {
    const width: PrefixWidth = (input[0] ?? 0) & 0x80 ? 4 : 2;
    const insist = ((input[0] ?? 0) & 1) === 0;
    const socket = MemorySocket.replaying(input.subarray(1));
    await initiateHandshake(socket.asSocket, {
      ourName: 'initiator@localhost',
      peerName: PEER,
      cookie: COOKIE,
      creation: 11,
      timeout: 200,
      handshakePrefixWidth: width,
      onAlive: () => insist,
    });
  },
  expected: (error) => error instanceof HandshakeError,
  dictionary: [
    Buffer.from('sok'),
    Buffer.from('snamed:'),
    Buffer.from('salive'),
    Buffer.from('snok'),
    Buffer.from('N'),
    Buffer.from('a'),
    Buffer.from(PEER),
  ],
};
