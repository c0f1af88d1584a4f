import type * as net from 'net';
import { cookieFor } from './cookie';
import { challengeDigest, digestMatches, newChallenge } from './digest';
import { advertisedFlags, DIST_MANDATORY_26, DistFlag, expandMandatory25, missingFlags } from './flags';
import { BadCookieError, HandshakeError, HandshakeRefusedError, MissingFlagsError } from './errors';
import type { HandshakeStatus } from './messages';
import type { HandshakeOptions, HandshakeResult } from './options';
import { HandshakeChannel } from './channel';
import { parseAliveAnswer, parseChallengeReply, parseComplement, parseSendName } from './parser';
import { serializeChallenge, serializeChallengeAck, serializeNamedStatus, serializeStatus } from './serializer';
import { dynamicNodeName, randomCreation } from './dynamic-name';
import { isValidNodeName } from './node-name';

/** A node that is dialing us, as its first message describes it. */
export interface IncomingPeer {
  /** Its full node name. */
  name: string;
  /** Its flags, MANDATORY_25_DIGEST expanded (only the low 32 bits for an old `'n'`). */
  flags: bigint;
}

/** Options of the side that accepts. */
export interface AcceptorOptions extends HandshakeOptions {
  /**
   * Decide the status for an incoming name, as net_kernel does: `ok`; `ok_simultaneous` or `nok`
   * when we are dialing it too (see `simultaneousConnectStatus`); `alive` when a connection to it
   * is already up; `not_allowed` to refuse. Default: always `ok`.
   */
  decideStatus?: (peer: IncomingPeer) => HandshakeStatus | Promise<HandshakeStatus>;
  /**
   * After `alive`, the peer insisted and proved its cookie: close the old connection now; the
   * handshake completes when this settles.
   */
  onAliveConfirmed?: (peerName: string) => void | Promise<void>;
}

const LOW_32_BITS = 0xffffffffn;

/**
 * Run the handshake on an accepted socket as the acceptor (dist_util's
 * `handshake_other_started`), including old initiators that send `'n'` and a complement. On
 * failure the socket is closed and a {@link HandshakeError} says why (or `signal.reason`, when
 * aborted).
 */
export async function acceptHandshake(socket: net.Socket, options: AcceptorOptions): Promise<HandshakeResult> {
  const channel = new HandshakeChannel(socket, options);
  return channel.run(() => accept(channel, options));
}

async function accept(channel: HandshakeChannel, options: AcceptorOptions): Promise<HandshakeResult> {
  const required = options.requiredFlags ?? DIST_MANDATORY_26;
  const hello = parseSendName(await channel.receive('the peer name'));
  const granted = hello.flags & DistFlag.NAME_ME ? grantDynamicName(hello.name) : null;
  // dist_util's publish_flag: to a peer we name, we announce NAME_ME instead of PUBLISHED (it
  // checks its negotiated flags for NAME_ME when it takes the name), so the connection is hidden.
  const advertised = options.flags ?? advertisedFlags();
  const ourFlags = granted ? (advertised & ~DistFlag.PUBLISHED) | DistFlag.NAME_ME : advertised;
  const peerName = granted?.name ?? hello.name;
  if (granted?.name === '' || !isValidNodeName(peerName)) {
    throw new HandshakeError('bad_name', `the peer sent an invalid node name ${JSON.stringify(hello.name)}`);
  }
  // An old 'n' carries only the low 32 flag bits; the rest arrive in the complement.
  const isOld = hello.creation === null;
  let peerFlags = hello.flags;
  const incoming: IncomingPeer = { name: peerName, flags: expandMandatory25(peerFlags) };
  refuseIfMissing(channel, incoming, isOld ? required & LOW_32_BITS : required);

  const status = await (options.decideStatus ?? (() => 'ok' as const))(incoming);
  if (granted && status === 'ok') channel.send(serializeNamedStatus(granted.name, granted.creation, channel.prefixWidth));
  else await sendStatus(channel, status, peerName);

  const ourChallenge = newChallenge();
  channel.send(
    serializeChallenge(
      { flags: ourFlags, challenge: ourChallenge, creation: options.creation, name: options.ourName },
      channel.prefixWidth,
    ),
  );

  let peerCreation = granted?.creation ?? hello.creation;
  if (peerCreation === null) {
    const complement = parseComplement(await channel.receive('the complement'));
    peerFlags |= BigInt(complement.flagsHigh) << 32n;
    peerCreation = complement.creation;
    refuseIfMissing(channel, { name: peerName, flags: expandMandatory25(peerFlags) }, required);
  }

  const reply = parseChallengeReply(await channel.receive('the challenge reply'));
  const cookie = cookieFor(options.cookie, peerName);
  if (!digestMatches(reply.digest, challengeDigest(cookie, ourChallenge))) {
    throw new BadCookieError(`${peerName} sent a challenge reply that does not match our cookie`);
  }
  if (status === 'alive') await options.onAliveConfirmed?.(peerName);
  channel.send(serializeChallengeAck(challengeDigest(cookie, reply.challenge), channel.prefixWidth));
  return {
    socket: channel.socket,
    peerName,
    peerFlags,
    negotiatedFlags: ourFlags & expandMandatory25(peerFlags),
    peerCreation,
    leftover: channel.release(),
  };
}

/**
 * A peer that asked for a name (NAME_ME, erl's `-sname undefined`) sent only its host: give it a
 * name there and a creation, as net_kernel does for every such peer. An empty host, or one with
 * an `@` (dist_util's `is_name_ok` for dynamic names), gets the empty name, which is refused.
 */
function grantDynamicName(host: string): { name: string; creation: number } {
  return { name: host.includes('@') || host === '' ? '' : dynamicNodeName(host), creation: randomCreation() };
}

// Like erl: answer not_allowed, then give up, naming the missing flags.
function refuseIfMissing(channel: HandshakeChannel, peer: IncomingPeer, required: bigint): void {
  const missing = missingFlags(required, peer.flags);
  if (missing.length === 0) return;
  channel.sendFinal(serializeStatus('not_allowed', channel.prefixWidth));
  throw new MissingFlagsError(missing, `connection from ${peer.name} rejected since it cannot handle ${missing.join(', ')}`);
}

async function sendStatus(channel: HandshakeChannel, status: HandshakeStatus, peerName: string): Promise<void> {
  if (status === 'nok' || status === 'not_allowed') {
    channel.sendFinal(serializeStatus(status, channel.prefixWidth));
    throw new HandshakeRefusedError(status, `we answered ${status} to ${peerName}`);
  }
  channel.send(serializeStatus(status, channel.prefixWidth));
  if (status === 'alive' && !parseAliveAnswer(await channel.receive('the answer to alive'))) {
    throw new HandshakeRefusedError('alive', `${peerName} gave up: it did not restart, so its old connection stands`);
  }
}
