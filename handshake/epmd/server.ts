import * as net from 'net';
import { readLengthPrefix } from '../transport/length-prefix';
import { listenTcp } from '../transport/tcp';
import type { DistListener } from '../transport/transport';
import type { EpmdNode } from './node';
import { resolveEpmdPort } from './port';
import { ALIVE2_FAILURE, serializeAlive2Reply, serializeNamesReply, serializePort2Reply } from './replies';
import { parseEpmdRequest } from './requests';

/** How the embedded EPMD listens. */
export interface EpmdServerOptions {
  /** Port to listen on; 0 picks a free one. Default `ERL_EPMD_PORT`, else 4369. */
  port?: number;
  /**
   * Address to listen on. Default: all interfaces, like epmd, because nodes on other hosts must
   * be able to ask us for ports. Registration is accepted from local peers only either way.
   */
  host?: string;
  /**
   * Close a connection that has not sent its whole request within this many ms of connecting (or,
   * answered, has not gone). The bound is on the whole request, not on silence, so a peer that
   * trickles a byte now and then cannot hold a connection (epmd's `-packet_timeout` counts only
   * inactivity). Registrations are exempt: they live as long as their socket. Default 60000 ms.
   */
  requestTimeout?: number;
}

// epmd reads requests into a 1024-byte buffer (INBUF_SIZE) and drops larger ones.
const MAX_REQUEST_BYTES = 1024 - 2 - 1;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
// epmd remembers this many unregistered names to keep their creations rising (MAX_UNREG_COUNT).
const REMEMBERED_NAMES = 1000;
const FIRST_EXTENDED_VERSION = 6;
// Extended creations live in 4..2^32-1; 1..3 belong to old-style nodes.
const LOWEST_EXTENDED_CREATION = 4;

interface Registration {
  node: EpmdNode;
  counter: number;
  socket: net.Socket;
}

/**
 * An EPMD server speaking the same protocol as OTP's `epmd`: ALIVE2 (registration lives as long
 * as its socket, local peers only), PORT_PLEASE2 and NAMES.
 */
export class EpmdServer {
  private readonly registrations = new Map<string, Registration>();
  // Last creation counter per name, so that a node that comes back gets a new creation.
  private readonly lastCounters = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly listener: DistListener,
    private readonly requestTimeout: number,
  ) {
    listener.onConnection((socket) => this.serve(socket));
  }

  /** Listen and serve; rejects with the listen error (e.g. `EADDRINUSE`) when the port is taken. */
  static async start(options: EpmdServerOptions = {}): Promise<EpmdServer> {
    // EPMD is plain TCP whatever the distribution transport is, as erl's epmd.
    const listener = await listenTcp({ port: resolveEpmdPort(options.port), host: options.host });
    return new EpmdServer(listener, options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** The port this server listens on. */
  get port(): number {
    return this.listener.port;
  }

  /** The nodes registered now, each with the creation it was handed. */
  registeredNodes(): Array<EpmdNode & { creation: number }> {
    return [...this.registrations.values()].map(({ node, counter }) => ({ ...node, creation: creationOf(node, counter) }));
  }

  /** Stop listening and drop every connection (and so every registration). */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return this.listener.close();
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    // Not socket.setTimeout: that restarts with every byte, and a slowloris sends one byte at a time.
    const deadline = setTimeout(() => socket.destroy(), this.requestTimeout).unref();
    let received = Buffer.alloc(0);
    let answered = false;
    let registeredName: string | null = null;
    socket.on('data', (chunk: Buffer) => {
      // One request per connection; on a registration socket any byte ends the registration.
      if (answered) return void socket.destroy();
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const wanted = 2 + readLengthPrefix(received, 2);
      if (wanted < 3 || wanted - 2 > MAX_REQUEST_BYTES || received.length > wanted) return void socket.destroy();
      if (received.length < wanted) return;
      answered = true;
      registeredName = this.handle(socket, received.subarray(2));
      if (registeredName !== null) clearTimeout(deadline);
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(socket);
      if (registeredName !== null && this.registrations.get(registeredName)?.socket === socket) {
        this.registrations.delete(registeredName);
      }
    });
    socket.on('error', () => undefined);
    // listenTcp hands sockets over paused (right for a handshake); EPMD reads at once.
    socket.resume();
  }

  /** Answer one request; returns the name registered on this socket, if that is what it did. */
  private handle(socket: net.Socket, body: Buffer): string | null {
    const request = parseEpmdRequest(body);
    switch (request.kind) {
      case 'alive2':
        if (!isLocalPeer(socket)) break;
        return this.register(socket, request.registration);
      case 'rejected':
        if (!isLocalPeer(socket)) break;
        socket.end(failedAlive2Reply(request.highestVersion));
        return null;
      case 'port_please2': {
        const found = this.registrations.get(request.name);
        socket.end(serializePort2Reply(found ? found.node : null));
        return null;
      }
      case 'names':
        socket.end(
          serializeNamesReply(
            this.port,
            [...this.registrations.values()].map(({ node }) => node),
          ),
        );
        return null;
      case 'invalid':
        break;
    }
    socket.destroy();
    return null;
  }

  private register(socket: net.Socket, node: EpmdNode): string | null {
    if (this.registrations.has(node.name)) {
      socket.end(failedAlive2Reply(node.highestVersion));
      return null;
    }
    const counter = nextCounter(this.lastCounters.get(node.name) ?? Math.floor(Date.now() / 1000));
    this.rememberCounter(node.name, counter);
    this.registrations.set(node.name, { node, counter, socket });
    socket.write(serializeAlive2Reply(0, creationOf(node, counter), node.highestVersion >= FIRST_EXTENDED_VERSION));
    return node.name;
  }

  private rememberCounter(name: string, counter: number): void {
    this.lastCounters.delete(name);
    this.lastCounters.set(name, counter);
    if (this.lastCounters.size > REMEMBERED_NAMES) {
      this.lastCounters.delete(this.lastCounters.keys().next().value as string);
    }
  }
}

function failedAlive2Reply(highestVersion: number): Buffer {
  return serializeAlive2Reply(ALIVE2_FAILURE.result, ALIVE2_FAILURE.creation, highestVersion >= FIRST_EXTENDED_VERSION);
}

// epmd's bump_creation: the u32 counter rises by one and skips 0..3.
function nextCounter(previous: number): number {
  const next = (previous + 1) >>> 0;
  return next < LOWEST_EXTENDED_CREATION ? LOWEST_EXTENDED_CREATION : next;
}

// epmd's get_creation: old-style nodes get 1..3 from the same counter.
function creationOf(node: EpmdNode, counter: number): number {
  return node.highestVersion >= FIRST_EXTENDED_VERSION ? counter : (counter % 3) + 1;
}

// Like epmd: 127.0.0.0/8, ::1, or a peer connecting from our own address.
function isLocalPeer(socket: net.Socket): boolean {
  const peer = socket.remoteAddress;
  if (!peer) return false;
  const ipv4 = peer.startsWith('::ffff:') ? peer.slice('::ffff:'.length) : peer;
  if (net.isIPv4(ipv4) && ipv4.startsWith('127.')) return true;
  return peer === '::1' || peer === socket.localAddress;
}
