/**
 * The embedded EPMD server fed a hostile request stream (ALIVE2_REQ, PORT_PLEASE2_REQ, NAMES_REQ,
 * and whatever else), in input-chosen pieces, on an in-memory socket from a local address (so
 * registration is allowed). One server lives across inputs; after each input's connection has
 * closed, no registration may remain: a registration lives exactly as long as its socket.
 *
 * Input: one byte giving how many of the next bytes choose where the stream is cut (0..3), those
 * bytes, then the stream, after which the client closes.
 */
import type * as net from 'net';
import { EpmdServer } from '../../handshake';
import type { DistListener } from '../../handshake';
import { EpmdRegistrationDefaults } from '../../handshake/epmd/codes';
import { serializeAlive2Request, serializeNamesRequest, serializePortPlease2Request } from '../../handshake/epmd/requests';
import type { FuzzTarget } from '../target';
import { chunksOf } from '../support/fuzzed-data';
import { MemorySocket, nextTurn } from '../support/memory-socket';

/** A server whose connections come from {@link accept} instead of a TCP listener. */
interface InMemoryEpmd {
  server: EpmdServer;
  accept: (socket: net.Socket) => void;
}

let epmd: InMemoryEpmd | undefined;

function inMemoryEpmd(): InMemoryEpmd {
  if (epmd) return epmd;
  let accept: (socket: net.Socket) => void = () => undefined;
  const listener: DistListener = {
    port: 4369,
    onConnection: (handler) => (accept = handler),
    close: () => Promise.resolve(),
  };
  // The constructor is private so that programs use EpmdServer.start, which listens on TCP; the
  // listener is the seam that hands the server its sockets, so it is the one replaced here.
  const Server = EpmdServer as unknown as new (listener: DistListener, timeout: number) => EpmdServer;
  const server = new Server(listener, 60_000);
  epmd = { server, accept: (socket) => accept(socket) };
  return epmd;
}

function seeds(): Buffer[] {
  const node = {
    name: 'fuzz',
    port: 4370,
    nodeType: EpmdRegistrationDefaults.NodeType,
    protocol: EpmdRegistrationDefaults.Protocol,
    highestVersion: EpmdRegistrationDefaults.HighestVersion,
    lowestVersion: EpmdRegistrationDefaults.LowestVersion,
    extra: Buffer.alloc(0),
  };
  const requests = [
    serializeAlive2Request(node),
    serializeAlive2Request({ ...node, name: 'old', highestVersion: 5, extra: Buffer.from('extra') }),
    serializePortPlease2Request('fuzz'),
    serializeNamesRequest(),
  ];
  return [...requests.map((r) => Buffer.concat([Buffer.from([0]), r])), Buffer.concat([Buffer.from([2, 3, 100]), requests[0]])];
}

export const target: FuzzTarget = {
  name: 'epmd-server',
  covers: ['handshake/epmd/server.ts', 'handshake/epmd/requests.ts', 'handshake/epmd/node.ts'],
  seeds,
  async run(input) {
    const { server, accept } = inMemoryEpmd();
    const cuts = input.subarray(1, 1 + ((input[0] ?? 0) % 4));
    const socket = new MemorySocket();
    // Listened for from the start: `closed` turns true before the 'close' listeners (the server's) have run.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    accept(socket.asSocket);
    // The server resumes the socket on the next tick; from then on each chunk is handled at once.
    await nextTurn();
    socket.feedAll(chunksOf(input.subarray(1 + cuts.length), cuts));
    await closed;
    const left = server.registeredNodes();
    if (left.length > 0) throw new Error(`registrations outlive their socket: ${left.map((n) => n.name).join(', ')}`);
  },
  // The server answers or drops; it has no error to throw.
  expected: () => false,
  dictionary: [Buffer.from([120]), Buffer.from([122]), Buffer.from([110]), Buffer.from([0, 77, 0, 0, 6, 0, 5])],
};
