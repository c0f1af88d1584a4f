import type { Atom, Pid, Reference, Term } from '../../codec';

/** Control message operations (`enum dop` in erts dist.h) that OTP 25–29 send. */
export const enum ControlOp {
  Link = 1,
  Send = 2,
  Exit = 3,
  Unlink = 4,
  RegSend = 6,
  GroupLeader = 7,
  Exit2 = 8,
  SendTT = 12,
  ExitTT = 13,
  RegSendTT = 16,
  Exit2TT = 18,
  MonitorP = 19,
  DemonitorP = 20,
  MonitorPExit = 21,
  SendSender = 22,
  SendSenderTT = 23,
  PayloadExit = 24,
  PayloadExitTT = 25,
  PayloadExit2 = 26,
  PayloadExit2TT = 27,
  PayloadMonitorPExit = 28,
  SpawnRequest = 29,
  SpawnRequestTT = 30,
  SpawnReply = 31,
  SpawnReplyTT = 32,
  AliasSend = 33,
  AliasSendTT = 34,
  UnlinkId = 35,
  UnlinkIdAck = 36,
}

/** The arity of each control tuple, the operation included; anything else is invalid, as in BEAM. */
export const CONTROL_ARITY: Readonly<Record<number, number>> = {
  [ControlOp.Link]: 3,
  [ControlOp.Send]: 3,
  [ControlOp.Exit]: 4,
  [ControlOp.Unlink]: 3,
  [ControlOp.RegSend]: 4,
  [ControlOp.GroupLeader]: 3,
  [ControlOp.Exit2]: 4,
  [ControlOp.SendTT]: 4,
  [ControlOp.ExitTT]: 5,
  [ControlOp.RegSendTT]: 5,
  [ControlOp.Exit2TT]: 5,
  [ControlOp.MonitorP]: 4,
  [ControlOp.DemonitorP]: 4,
  [ControlOp.MonitorPExit]: 5,
  [ControlOp.SendSender]: 3,
  [ControlOp.SendSenderTT]: 4,
  [ControlOp.PayloadExit]: 3,
  [ControlOp.PayloadExitTT]: 4,
  [ControlOp.PayloadExit2]: 3,
  [ControlOp.PayloadExit2TT]: 4,
  [ControlOp.PayloadMonitorPExit]: 4,
  [ControlOp.SpawnRequest]: 6,
  [ControlOp.SpawnRequestTT]: 7,
  [ControlOp.SpawnReply]: 5,
  [ControlOp.SpawnReplyTT]: 6,
  [ControlOp.AliasSend]: 3,
  [ControlOp.AliasSendTT]: 4,
  [ControlOp.UnlinkId]: 4,
  [ControlOp.UnlinkIdAck]: 4,
};

/** Operations whose frame carries a payload term after the control tuple. */
export const HAS_PAYLOAD: ReadonlySet<number> = new Set([
  ControlOp.Send,
  ControlOp.RegSend,
  ControlOp.SendTT,
  ControlOp.RegSendTT,
  ControlOp.SendSender,
  ControlOp.SendSenderTT,
  ControlOp.PayloadExit,
  ControlOp.PayloadExitTT,
  ControlOp.PayloadExit2,
  ControlOp.PayloadExit2TT,
  ControlOp.PayloadMonitorPExit,
  ControlOp.SpawnRequest,
  ControlOp.SpawnRequestTT,
  ControlOp.AliasSend,
  ControlOp.AliasSendTT,
]);

/** The flags of a SPAWN_REPLY: what the spawned process set up with the requester. */
export const enum SpawnReplyFlag {
  /** The new process is linked to the requester. */
  Link = 1,
  /** The new process is monitored by the requester, with the request id as the reference. */
  Monitor = 2,
}

/** A SPAWN_REQUEST, checked and decoded. */
export interface SpawnRequest {
  reqId: Reference;
  from: Pid;
  groupLeader: Pid;
  module: Atom;
  function: Atom;
  arity: number;
  /** The option list as sent (`[link, monitor, ...]`); checked by whoever serves the request. */
  options: Term;
  args: Term;
}
