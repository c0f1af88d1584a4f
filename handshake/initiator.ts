import type * as net from 'net';
import { cookieFor } from './cookie';
import { challengeDigest, digestMatches, newChallenge } from './digest';
import { advertisedFlags, DIST_MANDATORY_26, expandMandatory25, missingFlags } from './flags';
import {
  BadCookieError,
  HandshakeError,
  HandshakeRefusedError,
  MalformedMessageError,
  MissingFlagsError,
  NameMismatchError,
} from './errors';
import type { HandshakeOptions, HandshakeResult } from './options';
import { HandshakeChannel } from './channel';
import type { StatusMessage } from './messages';
import { parseChallenge, parseChallengeAck, parseStatus } from './parser';
import { serializeChallengeReply, serializeSendName, serializeStatus } from './serializer';

/** Options of the side that dials. */
export interface InitiatorOptions extends HandshakeOptions {
  /** The node we dialed, `name@host`; its challenge must carry exactly this name. */
  peerName: string;
  /**
   * The peer answered `alive`: it still has a connection to our name. Return true when this
   * attempt is genuinely new (e.g. we restarted) so the peer drops the old one. Default: true.
   */
  onAlive?: (peerName: string) => boolean | Promise<boolean>;
}

/**
 * Run the handshake on a connected socket as the initiator (dist_util's
 * `handshake_we_started`). On failure the socket is destroyed and a {@link HandshakeError}
 * says why (or `signal.reason`, when aborted).
 */
export async function initiateHandshake(socket: net.Socket, options: InitiatorOptions): Promise<HandshakeResult> {
  const channel = new HandshakeChannel(socket, options);
  return channel.run(() => dial(channel, options));
}

async function dial(channel: HandshakeChannel, options: InitiatorOptions): Promise<HandshakeResult> {
  const { peerName } = options;
  const ourFlags = options.flags ?? advertisedFlags();
  channel.send(serializeSendName({ flags: ourFlags, creation: options.creation, name: options.ourName }, channel.prefixWidth));

  await answerStatus(channel, parseStatus(await channel.receive('the status')), { ...options, flags: ourFlags });

  const challenge = parseChallenge(await channel.receive('the challenge'));
  if (challenge.name !== peerName) throw new NameMismatchError(peerName, challenge.name);
  const peerFlags = expandMandatory25(challenge.flags);
  const missing = missingFlags(options.requiredFlags ?? DIST_MANDATORY_26, peerFlags);
  if (missing.length > 0) {
    throw new MissingFlagsError(missing, `${peerName} cannot handle ${missing.join(', ')}; connection aborted`);
  }

  const cookie = cookieFor(options.cookie, peerName);
  const ourChallenge = newChallenge();
  channel.send(
    serializeChallengeReply({ challenge: ourChallenge, digest: challengeDigest(cookie, challenge.challenge) }, channel.prefixWidth),
  );

  const ack = await receiveAck(channel, peerName);
  if (!digestMatches(ack, challengeDigest(cookie, ourChallenge))) {
    throw new BadCookieError(`${peerName} answered with a challenge ack that does not match our cookie`);
  }
  return {
    socket: channel.socket,
    peerName,
    peerFlags: challenge.flags,
    negotiatedFlags: ourFlags & peerFlags,
    peerCreation: challenge.creation,
    leftover: channel.release(),
  };
}

async function answerStatus(
  channel: HandshakeChannel,
  message: StatusMessage,
  options: InitiatorOptions & { flags: bigint },
): Promise<void> {
  const { peerName } = options;
  switch (message.status) {
    case 'ok':
    case 'ok_simultaneous':
      return;
    case 'nok':
      throw new HandshakeRefusedError('nok', `${peerName} answered nok: its own simultaneous attempt to reach us wins`);
    case 'not_allowed': {
      // erl refuses this way when we lack flags it requires; it does not say which.
      const lacking = missingFlags(DIST_MANDATORY_26, expandMandatory25(options.flags));
      const hint = lacking.length > 0 ? ` (we do not offer ${lacking.join(', ')}, which OTP 26+ requires)` : '';
      throw new HandshakeRefusedError('not_allowed', `${peerName} does not allow the connection${hint}`);
    }
    case 'alive': {
      const proceed = await (options.onAlive ?? (() => true))(peerName);
      if (!proceed) {
        channel.sendFinal(serializeStatus('false', channel.prefixWidth));
        throw new HandshakeRefusedError('alive', `${peerName} already has a connection to us, and we keep it`);
      }
      channel.send(serializeStatus('true', channel.prefixWidth));
      return;
    }
    case 'named':
      throw new MalformedMessageError(`${peerName} granted a dynamic name although we did not ask for one`);
  }
}

// erl closes without a word when our digest is wrong, so a close here means "bad cookie".
async function receiveAck(channel: HandshakeChannel, peerName: string): Promise<Buffer> {
  try {
    return parseChallengeAck(await channel.receive('the challenge ack'));
  } catch (error) {
    if (error instanceof HandshakeError && error.code === 'closed') {
      throw new BadCookieError(`${peerName} closed the connection after our challenge reply: our cookies differ`);
    }
    throw error;
  }
}
