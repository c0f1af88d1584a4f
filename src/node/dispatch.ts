/**
 * Incoming control messages: checked the way BEAM checks them (a malformed one is an error that
 * closes the connection), then routed to the process table or to the node's built-in services.
 */
import { Atom, Pid, Reference, Term, Tuple } from '../../codec';
import { Connection } from '../dist/connection';
import { CONTROL_ARITY, ControlOp, HAS_PAYLOAD, SpawnRequest } from '../dist/control';
import { DistError } from '../dist/errors';
import { DistMessage } from '../dist/message-reader';
import { ProcessTable } from '../process/table';
import { Builtins } from './builtins';

/** Where messages go that are not for a process of the table. */
export interface Services {
  builtins: Builtins;
  spawnRequest(conn: Connection, request: SpawnRequest): void;
  spawnReply(reqId: Reference, to: Pid, flags: number, result: Term): void;
  /** MONITOR_P_EXIT: a remote process that `watcher` monitors with `ref` has ended. */
  monitorExit(watcher: Pid, ref: Reference, reason: Term): void;
}

/** A control message that breaks the protocol: the connection it came on is closed. */
function invalid(detail: string): DistError {
  return new DistError('bad_control', `invalid distribution message: ${detail}`);
}

function pid(t: Term, what: string): Pid {
  if (!(t instanceof Pid)) throw invalid(`${what} is not a pid`);
  return t;
}

function ref(t: Term, what: string): Reference {
  if (!(t instanceof Reference)) throw invalid(`${what} is not a reference`);
  return t;
}

/**
 * The pid of a process of the peer itself. A link, unlink, link exit or monitor comes from the
 * process it is about, so one naming a process of another node would leave us a link or monitor
 * that no nodedown ever clears; BEAM refuses such a message too (erl_dist.c).
 */
function peerPid(t: Term, what: string, conn: Connection): Pid {
  const from = pid(t, what);
  if (from.node.name !== conn.peer) throw invalid(`${what} is a process of ${from.node.name}, not of ${conn.peer}`);
  return from;
}

function pidOrName(t: Term, what: string): Pid | Atom {
  if (t instanceof Pid || t instanceof Atom) return t;
  throw invalid(`${what} is neither a pid nor a name`);
}

/** Route one message from `conn`; throws `DistError('bad_control')` for a malformed one. */
export function dispatch(table: ProcessTable, services: Services, conn: Connection, { control, payload }: DistMessage): void {
  if (!(control instanceof Tuple) || control.length === 0 || typeof control.get(0) !== 'number') {
    throw invalid('the control message is not a tuple that starts with an operation');
  }
  const c = control.elements;
  const op = c[0] as number;
  if (CONTROL_ARITY[op] !== c.length || HAS_PAYLOAD.has(op) !== (payload !== undefined)) {
    throw invalid(`operation ${op} with ${c.length} elements${payload === undefined ? '' : ' and a payload'}`);
  }
  const message = payload as Term;
  switch (op) {
    case ControlOp.Send:
    case ControlOp.SendTT:
      table.get(pid(c[2], 'SEND target'))?.deliver(message);
      return;
    case ControlOp.SendSender:
    case ControlOp.SendSenderTT:
      pid(c[1], 'SEND_SENDER sender');
      table.get(pid(c[2], 'SEND_SENDER target'))?.deliver(message);
      return;
    case ControlOp.AliasSend:
    case ControlOp.AliasSendTT:
      pid(c[1], 'ALIAS_SEND sender');
      table.deliverToAlias(ref(c[2], 'ALIAS_SEND alias'), message);
      return;
    case ControlOp.RegSend:
    case ControlOp.RegSendTT: {
      const from = pid(c[1], 'REG_SEND sender');
      const name = c[3];
      if (!(name instanceof Atom)) throw invalid('REG_SEND name is not an atom');
      // Unknown names are dropped, as BEAM does.
      if (!services.builtins.deliver(name, message, from)) table.whereis(name)?.deliver(message);
      return;
    }
    case ControlOp.Link:
      table.remoteLinked(peerPid(c[1], 'LINK sender', conn), pid(c[2], 'LINK target'));
      return;
    case ControlOp.UnlinkId: {
      const from = peerPid(c[2], 'UNLINK_ID sender', conn);
      const to = pid(c[3], 'UNLINK_ID target');
      table.remoteUnlinked(from, to);
      conn.send(new Tuple([ControlOp.UnlinkIdAck, c[1], to, from]));
      return;
    }
    case ControlOp.UnlinkIdAck:
      return;
    case ControlOp.Exit:
      table.linkedExit(peerPid(c[1], 'EXIT sender', conn), pid(c[2], 'EXIT target'), c[3]);
      return;
    case ControlOp.ExitTT:
      table.linkedExit(peerPid(c[1], 'EXIT sender', conn), pid(c[2], 'EXIT target'), c[4]);
      return;
    case ControlOp.PayloadExit:
    case ControlOp.PayloadExitTT:
      table.linkedExit(peerPid(c[1], 'EXIT sender', conn), pid(c[2], 'EXIT target'), message);
      return;
    case ControlOp.Exit2:
      table.get(pid(c[2], 'EXIT2 target'))?.exitSignal(pid(c[1], 'EXIT2 sender'), c[3], true);
      return;
    case ControlOp.Exit2TT:
      table.get(pid(c[2], 'EXIT2 target'))?.exitSignal(pid(c[1], 'EXIT2 sender'), c[4], true);
      return;
    case ControlOp.PayloadExit2:
    case ControlOp.PayloadExit2TT:
      table.get(pid(c[2], 'EXIT2 target'))?.exitSignal(pid(c[1], 'EXIT2 sender'), message, true);
      return;
    case ControlOp.MonitorP: {
      const watcher = peerPid(c[1], 'MONITOR_P watcher', conn);
      const target = pidOrName(c[2], 'MONITOR_P target');
      const monitorRef = ref(c[3], 'MONITOR_P reference');
      if (target instanceof Atom && services.builtins.has(target)) return;
      table.remoteMonitor(watcher, target, monitorRef);
      return;
    }
    case ControlOp.DemonitorP:
      peerPid(c[1], 'DEMONITOR_P watcher', conn);
      table.remoteDemonitor(pidOrName(c[2], 'DEMONITOR_P target'), ref(c[3], 'DEMONITOR_P reference'));
      return;
    case ControlOp.MonitorPExit:
      services.monitorExit(pid(c[2], 'MONITOR_P_EXIT watcher'), ref(c[3], 'MONITOR_P_EXIT reference'), c[4]);
      return;
    case ControlOp.PayloadMonitorPExit:
      services.monitorExit(pid(c[2], 'MONITOR_P_EXIT watcher'), ref(c[3], 'MONITOR_P_EXIT reference'), message);
      return;
    case ControlOp.GroupLeader: {
      const proc = table.get(pid(c[2], 'GROUP_LEADER target'));
      if (proc) proc.groupLeader = pid(c[1], 'GROUP_LEADER leader');
      return;
    }
    case ControlOp.SpawnRequest:
    case ControlOp.SpawnRequestTT: {
      const mfa = c[4];
      if (
        !(mfa instanceof Tuple) ||
        mfa.length !== 3 ||
        !(mfa.get(0) instanceof Atom) ||
        !(mfa.get(1) instanceof Atom) ||
        typeof mfa.get(2) !== 'number'
      ) {
        throw invalid('SPAWN_REQUEST {M, F, Arity} is malformed');
      }
      services.spawnRequest(conn, {
        reqId: ref(c[1], 'SPAWN_REQUEST id'),
        from: pid(c[2], 'SPAWN_REQUEST sender'),
        groupLeader: pid(c[3], 'SPAWN_REQUEST group leader'),
        module: mfa.get(0) as Atom,
        function: mfa.get(1) as Atom,
        arity: mfa.get(2) as number,
        options: c[5],
        args: message,
      });
      return;
    }
    case ControlOp.SpawnReply:
    case ControlOp.SpawnReplyTT: {
      const flags = c[3];
      if (typeof flags !== 'number') throw invalid('SPAWN_REPLY flags are not an integer');
      services.spawnReply(ref(c[1], 'SPAWN_REPLY id'), pid(c[2], 'SPAWN_REPLY target'), flags, c[4]);
      return;
    }
    default:
      // UNLINK (4) is invalid since OTP 26, as is any operation we do not know.
      throw invalid(`unexpected operation ${op}`);
  }
}
