import { promises as dns } from 'dns';
import type * as net from 'net';
import { tcpTransport } from './transport/tcp';
import { DistTransport, TransportError } from './transport/transport';
import { lookupNode } from './epmd/client';
import { EpmdError } from './epmd/errors';
import { HandshakeError, HandshakeTimeoutError } from './errors';
import { initiateHandshake, InitiatorOptions } from './initiator';
import { checkPeerHost, nameModeOf, parseNodeName } from './node-name';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HandshakeResult } from './options';

/** Options of {@link connectToNode}. */
export interface ConnectOptions extends Omit<InitiatorOptions, 'peerName'> {
  /** The EPMD port on the peer's host. Default `ERL_EPMD_PORT`, else 4369. */
  epmdPort?: number;
  /** What carries the connection (EPMD is asked over TCP regardless). Default {@link tcpTransport}. */
  transport?: DistTransport;
}

// The lowest distribution version that knows the 'N' handshake.
const HANDSHAKE_23_VERSION = 6;

/**
 * Reach node `peerName` (`name@host`): ask EPMD on its host for its port (PORT_PLEASE2),
 * connect over the transport, and run the initiator handshake. `timeout` bounds each of these
 * steps; `signal` aborts whichever is under way, rejecting with `signal.reason`.
 */
export async function connectToNode(peerName: string, options: ConnectOptions): Promise<HandshakeResult> {
  const { signal, transport = tcpTransport } = options;
  signal?.throwIfAborted();
  let host: string;
  let alive: string;
  try {
    const peer = parseNodeName(peerName);
    ({ host, alive } = peer);
    checkPeerHost(peer, nameModeOf(parseNodeName(options.ourName).host));
  } catch (error) {
    throw new HandshakeError('bad_name', (error as Error).message);
  }
  const timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  // Resolve the host once, as erl does, for both EPMD and the node.
  let ip: string;
  try {
    ip = (await dns.lookup(host)).address;
  } catch (cause) {
    throw new HandshakeError('connect_failed', `cannot resolve the host of ${peerName}: ${(cause as Error).message}`, {
      cause: cause as Error,
    });
  }
  const address = await lookupNode(alive, { host: ip, port: options.epmdPort, timeout, signal });
  if (address === null) throw new EpmdError('not_registered', `no node ${alive} is registered in EPMD on ${host}`);
  if (address.highestVersion < HANDSHAKE_23_VERSION) {
    throw new HandshakeError('unsupported_version', `${peerName} speaks distribution version ${address.highestVersion} at most; we need 6`);
  }
  let socket: net.Socket;
  try {
    socket = await transport.connect(ip, address.port, { timeout, signal, hostName: host });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    const where = `${peerName} at ${host}:${address.port}`;
    throw error.code === 'timeout'
      ? new HandshakeTimeoutError(`the ${transport.name} connection to ${where}`, timeout)
      : new HandshakeError('connect_failed', `cannot connect to ${where}: ${(error.cause as Error).message}`, { cause: error });
  }
  return initiateHandshake(socket, { ...options, peerName, handshakePrefixWidth: transport.handshakePrefixWidth });
}
