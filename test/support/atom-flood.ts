/**
 * A hostile peer that floods a node with atoms it has never seen: a raw distribution connection
 * made with the library's handshake, writing REG_SEND frames whose payloads are lists of fresh
 * atoms built directly as ETF bytes (so the sender never interns them), with the socket's
 * backpressure. Shared by test/node/atom-flood.test.ts and bench/atom-flood.
 */
import { once } from 'events';
import type { Socket } from 'net';
import { atom, Encoder, Pid, tuple } from '../../codec';
import { connectToNode, resolveCookie } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode, NodeOptions } from '../../src/node/node';

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
 * An erl expression: start `atom_flood_caller`, which calls `rpc:call(Node, kvs, lookup,
 * [flood_probe])` on `node` every 2 ms and times each call, until {@link stopCaller}.
 */
export const callerLoop = (node: string): string => `
  Node = '${node}',
  Loop = fun L(Times, Bad) ->
    receive {stop, From} -> From ! {calls, Times, Bad}
    after 2 ->
      T0 = erlang:monotonic_time(microsecond),
      R = rpc:call(Node, kvs, lookup, [flood_probe], 15000),
      T1 = erlang:monotonic_time(microsecond),
      case R of {ok, probe} -> L([T1 - T0 | Times], Bad); _ -> L(Times, [R | Bad]) end
    end
  end,
  register(atom_flood_caller, spawn(fun() -> Loop([], []) end)),
  ok`;

/** An erl expression: stop the caller; `{Calls, Failed, P50, P99, Max, FirstFailures}` (µs). */
export const stopCaller = `
  atom_flood_caller ! {stop, self()},
  receive {calls, Times, Bad} ->
    S = lists:sort(Times), N = length(S),
    {N, length(Bad), lists:nth(max(1, N div 2), S), lists:nth(max(1, N * 99 div 100), S), lists:last(S), lists:sublist(Bad, 3)}
  after 30000 -> caller_gone
  end`;

export interface CallFigures {
  calls: number;
  failed: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  text: string;
}

/** {@link stopCaller}'s answer, as numbers. */
export function callFigures(text: string): CallFigures {
  const m = /^\{(\d+),(\d+),(\d+),(\d+),(\d+),/.exec(text);
  if (m === null) throw new Error(`erl caller: ${text}`);
  const [calls, failed, p50Us, p99Us, maxUs] = m.slice(1).map(Number);
  return { calls, failed, p50Us, p99Us, maxUs, text };
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
