/**
 * Signals from local processes to processes on other nodes, as control messages. Chooses the
 * forms the connection negotiated (SEND_SENDER, the PAYLOAD_* exits).
 */
import { Atom, atom, Pid, Reference, Term, tuple } from '../../codec';
import { DistFlag } from '../../handshake';
import type { Connection } from '../dist/connection';
import { ControlOp } from '../dist/control';
import { DistError } from '../dist/errors';
import { RemoteSignals } from '../process/table';
import type { SignalBuilder } from './peers';

const EMPTY = atom('');

/** Sends one control message to a node, connecting when needed; `onNoConnection` when it can't. */
export type SignalSender = (node: string, build: SignalBuilder, onNoConnection?: () => void) => void;

/** The connection to a node when a signal can go on it now (up, nothing queued before it). */
export type ReadyConnection = (node: string) => Connection | undefined;

/** `conn.send`, as the sender's own: a connection that closed meanwhile drops the signal, as a lost one would. */
function sendOn(conn: Connection, control: Term, payload?: Term): void {
  try {
    conn.send(control, payload);
  } catch (err) {
    if (!(err instanceof DistError && err.code === 'closed')) throw err;
  }
}

/** SEND_SENDER, or SEND to a peer that lacks it; the message goes as the payload. */
function messageControl(flags: bigint, from: Pid, to: Pid): Term {
  return flags & DistFlag.SEND_SENDER ? tuple(ControlOp.SendSender, from, to) : tuple(ControlOp.Send, EMPTY, to);
}

/** MONITOR_P_EXIT with the reason inside, or its payload form when the peer has EXIT_PAYLOAD. */
function monitorExitControl(flags: bigint, target: Pid | Atom, watcher: Pid, ref: Reference, reason: Term): Term {
  return flags & DistFlag.EXIT_PAYLOAD
    ? tuple(ControlOp.PayloadMonitorPExit, target, watcher, ref)
    : tuple(ControlOp.MonitorPExit, target, watcher, ref, reason);
}

/** The payload of an exit-like signal: the reason when the peer has EXIT_PAYLOAD, else none. */
function exitPayload(flags: bigint, reason: Term): Term | undefined {
  return flags & DistFlag.EXIT_PAYLOAD ? reason : undefined;
}

export class OutgoingSignals implements RemoteSignals {
  private nextUnlinkId = 1;

  constructor(
    private readonly signal: SignalSender,
    /** For messages and DOWNs, the most frequent signals: sent at once, with no closure, when the connection is ready. */
    private readonly ready: ReadyConnection = () => undefined,
  ) {}

  private direct(node: string): Connection | undefined {
    const conn = this.ready(node);
    return conn === undefined || conn.isClosed ? undefined : conn;
  }

  send(from: Pid, to: Pid, message: Term): void {
    const conn = this.direct(to.node.name);
    if (conn !== undefined) return sendOn(conn, messageControl(conn.flags, from, to), message);
    this.signal(to.node.name, (flags) => [messageControl(flags, from, to), message]);
  }

  sendNamed(from: Pid, name: Atom, node: string, message: Term): void {
    const conn = this.direct(node);
    if (conn !== undefined) return sendOn(conn, tuple(ControlOp.RegSend, from, EMPTY, name), message);
    this.signal(node, () => [tuple(ControlOp.RegSend, from, EMPTY, name), message]);
  }

  sendAlias(from: Pid, alias: Reference, message: Term): void {
    // A peer without ALIAS has no aliases of its own to send to.
    this.signal(alias.node.name, (flags) => (flags & DistFlag.ALIAS ? [tuple(ControlOp.AliasSend, from, alias), message] : null));
  }

  link(from: Pid, to: Pid, onNoConnection: () => void): void {
    this.signal(to.node.name, () => [tuple(ControlOp.Link, from, to)], onNoConnection);
  }

  unlink(from: Pid, to: Pid): void {
    const id = this.nextUnlinkId++;
    this.signal(to.node.name, () => [tuple(ControlOp.UnlinkId, id, from, to)]);
  }

  exit(from: Pid, to: Pid, reason: Term, viaExit2: boolean): void {
    this.signal(to.node.name, (flags) => {
      if (flags & DistFlag.EXIT_PAYLOAD) {
        return [tuple(viaExit2 ? ControlOp.PayloadExit2 : ControlOp.PayloadExit, from, to), reason];
      }
      return [tuple(viaExit2 ? ControlOp.Exit2 : ControlOp.Exit, from, to, reason)];
    });
  }

  monitor(watcher: Pid, target: Pid | Atom, node: string, ref: Reference, onNoConnection: () => void): void {
    this.signal(node, () => [tuple(ControlOp.MonitorP, watcher, target, ref)], onNoConnection);
  }

  demonitor(watcher: Pid, target: Pid | Atom, node: string, ref: Reference): void {
    this.signal(node, () => [tuple(ControlOp.DemonitorP, watcher, target, ref)]);
  }

  monitorExit(target: Pid | Atom, watcher: Pid, ref: Reference, reason: Term): void {
    const conn = this.direct(watcher.node.name);
    if (conn !== undefined) {
      return sendOn(conn, monitorExitControl(conn.flags, target, watcher, ref, reason), exitPayload(conn.flags, reason));
    }
    this.signal(watcher.node.name, (flags) => [monitorExitControl(flags, target, watcher, ref, reason), exitPayload(flags, reason)]);
  }
}
