/**
 * A hostile peer that floods a node with atoms it has never seen: a raw distribution connection
 * made with the library's handshake, writing REG_SEND frames whose payloads are lists of fresh
 * atoms built directly as ETF bytes (so the sender never interns them), with the socket's
 * backpressure. Shared by test/node/atom-flood.test.ts and bench/atom-flood.
 */
import { once } from 'events';
import type { Socket } from 'net';
import { Atom, atom, Encoder, Pid, tuple } from '../../codec';
import { connectToNode, resolveCookie } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode, NodeOptions } from '../../src/node/node';
import { reclaimDeadAtoms } from './atom-table';

const REG_SEND = 6;
/** Each atom is `a` and 9 decimal digits of its sequence number, lowest digit first. */
const ATOM_CHARS = 10;
const ATOM_BYTES = 2 + ATOM_CHARS;

export interface RawFloodPeer {
  name: string;
  socket: Socket;
  closed: Promise<void>;
  /**
   * Send `messages` REG_SENDs to `to`, each a list of `atomsPerMessage` atoms never sent before
   * by this process (a sequence shared by all peers). Resolves when all are written, or when the
   * socket closes; returns how many were written.
   */
  flood(to: string, messages: number, atomsPerMessage: number): Promise<number>;
}

let sequence = 0;

/** A raw connection to `node` as `name` (a fresh node name, same host), after its handshake. */
export async function connectFloodPeer(node: string, name: string, cookie: string, epmdPort: number): Promise<RawFloodPeer> {
  const link = await connectToNode(node, { ourName: name, cookie: resolveCookie({ cookie }), creation: 5, epmdPort });
  const socket = link.socket;
  socket.on('error', () => undefined);
  socket.resume();
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return {
    name,
    socket,
    closed,
    async flood(to, messages, atomsPerMessage) {
      const control = new Encoder().encodeWithoutVersion(tuple(REG_SEND, new Pid(atom(name), 1, 0, 5), atom(''), atom(to)));
      const bodyLength = 3 + control.length + 5 + atomsPerMessage * ATOM_BYTES + 1;
      let sent = 0;
      for (; sent < messages && !isClosed; sent++) {
        const frame = Buffer.allocUnsafe(4 + bodyLength);
        frame.writeUInt32BE(bodyLength, 0);
        // A distribution header with no atom cache references, the control tuple, then the list.
        frame[4] = 131;
        frame[5] = 68;
        frame[6] = 0;
        control.copy(frame, 7);
        let p = 7 + control.length;
        frame[p] = 108;
        frame.writeUInt32BE(atomsPerMessage, p + 1);
        p += 5;
        for (let i = 0; i < atomsPerMessage; i++) {
          frame[p] = 119;
          frame[p + 1] = ATOM_CHARS;
          frame[p + 2] = 97;
          let v = sequence++;
          for (let k = 3; k < ATOM_BYTES; k++) {
            frame[p + k] = 48 + (v % 10);
            v = Math.floor(v / 10);
          }
          p += ATOM_BYTES;
        }
        frame[p] = 106;
        if (!socket.write(frame)) await Promise.race([once(socket, 'drain'), closed]);
      }
      return sent;
    },
  };
}

/**
 * The flooded node: kvs served (for erl's calls), and a registered `atom_sink` that drops what it
 * gets, counting the atoms of the lists among it.
 */
export async function startAtomSinkNode(options: NodeOptions): Promise<{ node: ErlNode; received: () => number }> {
  const node = await ErlNode.start(options);
  serveKvs(node);
  let received = 0;
  node.spawn(
    async (self) => {
      for (;;) {
        const m = await self.receive();
        received += Array.isArray(m) ? m.length : 0;
      }
    },
    { name: 'atom_sink' },
  );
  return { node, received: () => received };
}

/** The heap and the atom table before a flood, and their peaks while it runs. */
export interface MemoryPeaks {
  heapBefore: number;
  heapPeak: number;
  tableBefore: number;
  tablePeak: number;
}

/**
 * After a full collection, sample this process's heap and the atom table every 50 ms until the
 * returned `stop`, which gives the figures.
 */
export async function watchMemoryPeaks(): Promise<() => MemoryPeaks> {
  await reclaimDeadAtoms();
  const peaks: MemoryPeaks = { heapBefore: process.memoryUsage().heapUsed, heapPeak: 0, tableBefore: Atom.count, tablePeak: 0 };
  peaks.heapPeak = peaks.heapBefore;
  peaks.tablePeak = peaks.tableBefore;
  const sampler = setInterval(() => {
    peaks.heapPeak = Math.max(peaks.heapPeak, process.memoryUsage().heapUsed);
    peaks.tablePeak = Math.max(peaks.tablePeak, Atom.count);
  }, 50);
  return () => {
    clearInterval(sampler);
    return peaks;
  };
}

/**
 * Resolves once the sink has `atoms` atoms; throws after `timeoutMs`, as it would wait forever when
 * the node closed the flooding connection before reading all that was written to it.
 */
export async function awaitAtoms(received: () => number, atoms: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received() < atoms) {
    if (Date.now() > deadline) throw new Error(`the sink got ${received()} of ${atoms} atoms in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
