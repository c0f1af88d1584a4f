import type * as net from 'net';
import { SocketReader } from '../transport/socket-reader';
import { connectTcp } from '../transport/tcp';
import { TransportError } from '../transport/transport';
import { EpmdRegistrationDefaults } from './codes';
import { EpmdError } from './errors';
import type { EpmdNode } from './node';
import { resolveEpmdPort } from './port';
import { alive2ReplyLength, NamesReply, parseAlive2Reply, parseNamesReply, parsePort2Reply } from './replies';
import { serializeAlive2Request, serializeNamesRequest, serializePortPlease2Request } from './requests';

/** Where EPMD is and how long to wait for it. */
export interface EpmdClientOptions {
  /** EPMD's host. Default `127.0.0.1`: registration must come from a local address anyway. */
  host?: string;
  /** EPMD's port. Default `ERL_EPMD_PORT`, else 4369. */
  port?: number;
  /** Time limit in ms for the whole request, connect included. Default 5000 ms. */
  timeout?: number;
  /** Abort the request: its socket is closed and the call rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A live registration in EPMD. It lasts as long as its socket. */
export interface EpmdRegistration {
  /** The creation EPMD assigned; use it in every pid, port and reference of the node. */
  readonly creation: number;
  /** Settles when the registration ends: unregistered by us, or EPMD went away. */
  readonly closed: Promise<void>;
  /** Remove the registration by closing its socket (the only way EPMD offers). */
  unregister(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5000;
// A PORT2_RESP holds at most 2 × 1020 bytes of name and extra; NAMES lists every node.
const MAX_PORT2_REPLY_BYTES = 4096;
const MAX_NAMES_REPLY_BYTES = 1 << 20;

/** One request's target and limits, the options resolved. */
interface Request {
  host: string;
  port: number;
  deadline: number;
  signal?: AbortSignal;
}

function request(options: EpmdClientOptions): Request {
  return {
    host: options.host ?? '127.0.0.1',
    port: resolveEpmdPort(options.port),
    deadline: Date.now() + (options.timeout ?? DEFAULT_TIMEOUT_MS),
    signal: options.signal,
  };
}

async function openEpmdSocket({ host, port, deadline, signal }: Request): Promise<net.Socket> {
  try {
    return await connectTcp(host, port, { timeout: Math.max(0, deadline - Date.now()), signal });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    throw new EpmdError(error.code, `cannot reach EPMD: ${error.message}`, { cause: error });
  }
}

function readerFor(socket: net.Socket, { host, port, signal }: Request): SocketReader {
  return new SocketReader(
    socket,
    (failure, what, cause) =>
      failure === 'timeout'
        ? new EpmdError('timeout', `EPMD at ${host}:${port} did not send ${what} in time`)
        : new EpmdError('closed', `EPMD at ${host}:${port} closed the connection before ${what}`, { cause }),
    signal,
  );
}

/**
 * Register a node with EPMD (ALIVE2_REQ) the way erl does: node type 77, protocol 0, versions
 * 6..5. The socket then stays open and silent; closing it unregisters the node. `signal` aborts
 * the registering, not the registration it made.
 */
export async function registerNode(name: string, listenPort: number, options: EpmdClientOptions = {}): Promise<EpmdRegistration> {
  const target = request(options);
  const socket = await openEpmdSocket(target);
  const reader = readerFor(socket, target);
  try {
    socket.write(
      serializeAlive2Request({
        name,
        port: listenPort,
        nodeType: EpmdRegistrationDefaults.NodeType,
        protocol: EpmdRegistrationDefaults.Protocol,
        highestVersion: EpmdRegistrationDefaults.HighestVersion,
        lowestVersion: EpmdRegistrationDefaults.LowestVersion,
        extra: Buffer.alloc(0),
      }),
    );
    const tag = await reader.read(1, target.deadline, 'the ALIVE2 reply');
    const length = alive2ReplyLength(tag[0]);
    if (length === null) throw new EpmdError('malformed', `EPMD answered ALIVE2_REQ with tag ${tag[0]}`);
    const rest = await reader.read(length - 1, target.deadline, 'the ALIVE2 reply');
    const { result, creation } = parseAlive2Reply(Buffer.concat([tag, rest]));
    if (result !== 0) {
      throw new EpmdError('name_taken', `EPMD refused to register ${name} (result ${result}); is the name in use?`);
    }
    reader.release();
    return keepRegistration(socket, creation);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

function keepRegistration(socket: net.Socket, creation: number): EpmdRegistration {
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // EPMD never writes on this socket again; a read error just means the registration is gone.
  socket.on('error', () => undefined);
  socket.resume();
  return {
    creation,
    closed,
    unregister: () => {
      socket.destroy();
      return closed;
    },
  };
}

/**
 * Ask EPMD where node `name` (the part before `@`) listens (PORT_PLEASE2_REQ), on a fresh
 * connection. Null when EPMD does not know the name.
 */
export async function lookupNode(name: string, options: EpmdClientOptions = {}): Promise<EpmdNode | null> {
  const reply = await oneShotRequest(serializePortPlease2Request(name), MAX_PORT2_REPLY_BYTES, request(options));
  try {
    return parsePort2Reply(reply);
  } catch (error) {
    throw new EpmdError('malformed', `EPMD sent a bad PORT2_RESP: ${(error as Error).message}`);
  }
}

/** The nodes registered in EPMD (NAMES_REQ), like `epmd -names`, on a fresh connection. */
export async function listNames(options: EpmdClientOptions = {}): Promise<NamesReply> {
  const reply = await oneShotRequest(serializeNamesRequest(), MAX_NAMES_REPLY_BYTES, request(options));
  try {
    return parseNamesReply(reply);
  } catch (error) {
    throw new EpmdError('malformed', `EPMD sent a bad NAMES reply: ${(error as Error).message}`);
  }
}

// EPMD answers these requests and then closes, so the reply is everything up to the close.
async function oneShotRequest(bytes: Buffer, maxReplyBytes: number, target: Request): Promise<Buffer> {
  const socket = await openEpmdSocket(target);
  const reader = readerFor(socket, target);
  try {
    socket.write(bytes);
    const reply = await reader.readToEnd(target.deadline, maxReplyBytes, 'its reply');
    // epmd drops requests it finds invalid by closing without a word.
    if (reply.length === 0) throw new EpmdError('closed', `EPMD at ${target.host}:${target.port} closed without replying`);
    return reply;
  } finally {
    reader.release();
    socket.destroy();
  }
}
