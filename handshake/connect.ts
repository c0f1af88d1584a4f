import { promises as dns } from 'dns';
import { EpmdError } from './epmd/errors';
import { lookupNode } from './epmd/client';
import { HandshakeError, HandshakeTimeoutError } from './errors';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HandshakeResult } from './options';
import { initiateHandshake, InitiatorOptions } from './initiator';
import { parseNodeName } from './node-name';
import { connectTcp } from './transport/tcp';

/** Options of {@link connectToNode}. */
export interface ConnectOptions extends Omit<InitiatorOptions, 'peerName'> {
  /** The EPMD port on the peer's host. Default `ERL_EPMD_PORT`, else 4369. */
  epmdPort?: number;
}

// The lowest distribution version that knows the 'N' handshake.
const HANDSHAKE_23_VERSION = 6;

/**
 * Reach node `peerName` (`name@host`): ask EPMD on its host for its port (PORT_PLEASE2),
 * connect, and run the initiator handshake. `timeoutMs` bounds each of these steps.
 */
export async function connectToNode(peerName: string, options: ConnectOptions): Promise<HandshakeResult> {
  let host: string;
  let alive: string;
  try {
    ({ host, alive } = parseNodeName(peerName));
  } catch (error) {
    throw new HandshakeError('bad_name', (error as Error).message);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  // Resolve the host once, as erl does, for both EPMD and the node.
  let ip: string;
  try {
    ip = (await dns.lookup(host)).address;
  } catch (cause) {
    throw new HandshakeError('connect_failed', `cannot resolve the host of ${peerName}: ${(cause as Error).message}`, { cause: cause as Error });
  }
  const address = await lookupNode(alive, { host: ip, port: options.epmdPort, timeoutMs });
  if (address === null) throw new EpmdError('not_registered', `no node ${alive} is registered in EPMD on ${host}`);
  if (address.highestVersion < HANDSHAKE_23_VERSION) {
    throw new HandshakeError('unsupported_version', `${peerName} speaks distribution version ${address.highestVersion} at most; we need 6`);
  }
  const socket = await connectTcp(ip, address.port, timeoutMs, (failure, cause) =>
    failure === 'timeout'
      ? new HandshakeTimeoutError(`the TCP connection to ${peerName} at ${host}:${address.port}`, timeoutMs)
      : new HandshakeError('connect_failed', `cannot connect to ${peerName} at ${host}:${address.port}: ${cause?.message}`, { cause }),
  );
  return initiateHandshake(socket, { ...options, peerName });
}
