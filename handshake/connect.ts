import { promises as dns } from 'dns';
import * as net from 'net';
import { tcpTransport } from './transport/tcp';
import { DistTransport, TransportError } from './transport/transport';
import { lookupNode } from './epmd/client';
import { EpmdError } from './epmd/errors';
import type { EpmdNode } from './epmd/node';
import { resolveEpmdPort } from './epmd/port';
import type { DialCache, EpmdAnswer, EpmdEntryKey } from './dial-cache';
import { HandshakeError, HandshakeRefusedError, HandshakeTimeoutError } from './errors';
import { initiateHandshake, InitiatorOptions } from './initiator';
import { checkPeerHost, nameModeOf, parseNodeName } from './node-name';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HandshakeResult } from './options';

/** Options of {@link connectToNode}. */
export interface ConnectOptions extends Omit<InitiatorOptions, 'peerName'> {
  /** The EPMD port on the peer's host. Default `ERL_EPMD_PORT`, else 4369. */
  epmdPort?: number;
  /** What carries the connection (EPMD is asked over TCP regardless). Default {@link tcpTransport}. */
  transport?: DistTransport;
  /**
   * Where the host's address and EPMD's answer are remembered from one dial to the next (a node
   * keeps one for all its dials). Without it every dial resolves the host and asks EPMD.
   */
  cache?: DialCache;
}

// The lowest distribution version that knows the 'N' handshake.
const HANDSHAKE_23_VERSION = 6;

/** One dial's target, the options resolved. */
interface Target {
  peerName: string;
  host: string;
  alive: string;
  epmdPort: number;
  timeout: number;
}

/** What a dial starts from: the host's address and EPMD's answer, each when already known. */
interface Known {
  address?: string;
  node?: EpmdAnswer;
}

/**
 * Reach node `peerName` (`name@host`): ask EPMD on its host for its port (PORT_PLEASE2),
 * connect over the transport, and run the initiator handshake. `timeout` bounds each of these
 * steps; `signal` aborts whichever is under way, rejecting with `signal.reason`.
 *
 * A host that is an IP address is not looked up; a host name is resolved once, for EPMD and the
 * node. With `cache`, a dial starts from what the last one to the node learnt; should that fail
 * in a way a stale entry explains (the peer restarted on another port, say), the entry is
 * forgotten and the dial made once more from scratch.
 */
export async function connectToNode(peerName: string, options: ConnectOptions): Promise<HandshakeResult> {
  options.signal?.throwIfAborted();
  let target: Target;
  try {
    const peer = parseNodeName(peerName);
    checkPeerHost(peer, nameModeOf(parseNodeName(options.ourName).host));
    const { host, alive } = peer;
    target = {
      peerName,
      host,
      alive,
      epmdPort: resolveEpmdPort(options.epmdPort),
      timeout: options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    };
  } catch (error) {
    throw new HandshakeError('bad_name', (error as Error).message);
  }
  const { cache } = options;
  const known = cache ? remembered(cache, target) : {};
  if (known.address === undefined && known.node === undefined) return dial(target, options, {});
  try {
    return await dial(target, options, known);
  } catch (error) {
    if (options.signal?.aborted || !mayBeStale(error)) throw error;
    return dial(target, options, {});
  }
}

function remembered(cache: DialCache, { host, alive, epmdPort }: Target): Known {
  const isAddress = net.isIP(host) !== 0;
  const address = isAddress ? host : cache.address(host);
  const node = address === undefined ? undefined : cache.node({ address, epmdPort, alive });
  return { address: isAddress ? undefined : address, node };
}

async function dial(target: Target, options: ConnectOptions, known: Known): Promise<HandshakeResult> {
  const { cache } = options;
  const { host, alive, epmdPort } = target;
  const address = net.isIP(host) !== 0 ? host : (known.address ?? (await resolveHost(target)));
  const key: EpmdEntryKey = { address, epmdPort, alive };
  try {
    const node = known.node ?? (await askEpmd(target, address, options.signal));
    const result = await connectAndShake(target, address, node, known.node === undefined ? options : distrustAlive(options));
    if (address !== host) cache?.rememberAddress(host, address);
    cache?.rememberNode(key, node);
    return result;
  } catch (error) {
    cache?.forgetAddress(host);
    cache?.forgetNode(key);
    throw error;
  }
}

async function resolveHost({ host, peerName }: Target): Promise<string> {
  try {
    return (await dns.lookup(host)).address;
  } catch (cause) {
    throw new HandshakeError('connect_failed', `cannot resolve the host of ${peerName}: ${(cause as Error).message}`, {
      cause: cause as Error,
    });
  }
}

async function askEpmd({ peerName, host, alive, epmdPort, timeout }: Target, address: string, signal?: AbortSignal): Promise<EpmdNode> {
  const node = await lookupNode(alive, { host: address, port: epmdPort, timeout, signal });
  if (node === null) throw new EpmdError('not_registered', `no node ${alive} is registered in EPMD on ${host}`);
  if (node.highestVersion < HANDSHAKE_23_VERSION) {
    throw new HandshakeError('unsupported_version', `${peerName} speaks distribution version ${node.highestVersion} at most; we need 6`);
  }
  return node;
}

async function connectAndShake(target: Target, address: string, node: EpmdAnswer, options: ConnectOptions): Promise<HandshakeResult> {
  const { peerName, host, timeout } = target;
  const { signal, transport = tcpTransport } = options;
  let socket: net.Socket;
  try {
    socket = await transport.connect(address, node.port, { timeout, signal, hostName: host });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    const where = `${peerName} at ${host}:${node.port}`;
    throw error.code === 'timeout'
      ? new HandshakeTimeoutError(`the ${transport.name} connection to ${where}`, timeout)
      : new HandshakeError('connect_failed', `cannot connect to ${where}: ${(error.cause as Error).message}`, { cause: error });
  }
  return initiateHandshake(socket, { ...options, peerName, handshakePrefixWidth: transport.handshakePrefixWidth });
}

/**
 * On a remembered port, whoever answers `alive` may be another node that took the port since:
 * answering `true` would make it drop its connection to us. Decline; the dial is then made
 * again with EPMD's fresh answer, and the real `onAlive` decides.
 */
function distrustAlive(options: ConnectOptions): ConnectOptions {
  return { ...options, onAlive: () => false };
}

/**
 * Failures a stale entry explains: nothing listens on the remembered port any more, something
 * else does (it closes, names another node, says something odd, refuses us), EPMD at the
 * remembered address does not know the node. Not timeouts (the host is unreachable either way),
 * a bad cookie (a node of that name checked it), nor `nok` (a simultaneous connect, settled).
 */
function mayBeStale(error: unknown): boolean {
  if (error instanceof HandshakeRefusedError) return error.status !== 'nok';
  if (error instanceof HandshakeError) return error.code !== 'timeout' && error.code !== 'bad_cookie';
  return error instanceof EpmdError && error.code !== 'timeout';
}
