/**
 * pg's wire protocol between scopes, and the other messages a scope's mailbox takes, as pg.erl's
 * handle_info/handle_cast/handle_call clauses match them: read into typed values (anything of
 * another shape is `malformed`, with why), and built for sending. Only the 2-tuple discover is
 * ever built: OTP 25 has no clause for `{discover, Peer, Version}` and would crash on it.
 */
import { Atom, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { DOWN, GEN_CALL, GEN_CAST, PROCESS } from '../process/atoms';
import { DEMONITOR, DISCOVER, JOIN, JOIN_LOCAL, LEAVE, LEAVE_LOCAL, MONITOR, NODEDOWN, NODEUP, SYNC } from './atoms';

/** What a `gen_server:call` to a scope asks (OTP 25.1+'s calls; join/leave since OTP 23). */
export type ScopeCall =
  | { kind: 'join_local'; group: Term; pids: Term }
  | { kind: 'leave_local'; group: Term; pids: Term }
  | { kind: 'monitor_scope' }
  | { kind: 'monitor_group'; group: Term }
  | { kind: 'demonitor'; ref: Reference }
  | { kind: 'unknown'; request: Term };

/** One message in a scope's mailbox, read. */
export type ScopeMessage =
  /** `{discover, Peer}` or `{discover, Peer, Features}` (OTP 26+ accept the 3-tuple, "to be used by OTP 28 or later"). */
  | { kind: 'discover'; peer: Pid }
  /** `{'$gen_cast', {sync, Peer, [{Group, [Pid]}]}}`: everything the peer has joined, in full. */
  | { kind: 'sync'; peer: Pid; groups: Array<[Term, Pid[]]> }
  /** `{join, Peer, Group, PidOrPids}`. */
  | { kind: 'join'; peer: Pid; group: Term; pids: Pid[] }
  /** `{leave, Peer, PidOrPids, [Group]}`. */
  | { kind: 'leave'; peer: Pid; pids: Pid[]; groups: Term[] }
  /** `{'DOWN', Ref, process, Pid, Reason}` of a monitor the scope holds. */
  | { kind: 'down'; ref: Reference; pid: Pid; reason: Term }
  /** `{nodeup, Node}` / `{nodedown, Node}`, as net_kernel:monitor_nodes delivers them. */
  | { kind: 'nodeup'; node: Atom }
  | { kind: 'nodedown'; node: Atom }
  /** `{'$gen_call', {Pid, Tag}, Request}`. */
  | { kind: 'call'; from: Pid; tag: Term; call: ScopeCall }
  /** Anything else: ignored (and logged, rate-limited). */
  | { kind: 'malformed'; why: string };

function malformed(why: string): ScopeMessage {
  return { kind: 'malformed', why };
}

/** A pid, or a proper list of pids (`PidOrPids`); undefined for anything else. */
export function pidOrPids(t: Term): Pid[] | undefined {
  if (t instanceof Pid) return [t];
  if (!Array.isArray(t)) return undefined;
  for (const p of t) if (!(p instanceof Pid)) return undefined;
  return t as Pid[];
}

function syncGroups(t: Term): Array<[Term, Pid[]]> | undefined {
  if (!Array.isArray(t)) return undefined;
  const groups: Array<[Term, Pid[]]> = [];
  for (const entry of t) {
    if (!(entry instanceof Tuple) || entry.length !== 2) return undefined;
    const pids = entry.get(1);
    // pg sends lists here, never a bare pid.
    if (!Array.isArray(pids)) return undefined;
    const members = pidOrPids(pids);
    if (members === undefined) return undefined;
    groups.push([entry.get(0), members]);
  }
  return groups;
}

function readCall(request: Term): ScopeCall {
  if (request === MONITOR) return { kind: 'monitor_scope' };
  if (request instanceof Tuple) {
    const [tag, a, b] = request.elements;
    if (request.length === 3 && tag === JOIN_LOCAL) return { kind: 'join_local', group: a, pids: b };
    if (request.length === 3 && tag === LEAVE_LOCAL) return { kind: 'leave_local', group: a, pids: b };
    if (request.length === 2 && tag === MONITOR) return { kind: 'monitor_group', group: a };
    if (request.length === 2 && tag === DEMONITOR && a instanceof Reference) return { kind: 'demonitor', ref: a };
  }
  return { kind: 'unknown', request };
}

/** Read one mailbox message of a scope. Never throws. */
export function readScopeMessage(m: Term): ScopeMessage {
  if (!(m instanceof Tuple) || m.length < 2) return malformed('not a tuple of two or more elements');
  const e = m.elements;
  const tag = e[0];
  if (tag === DISCOVER) {
    if ((m.length === 2 || m.length === 3) && e[1] instanceof Pid) return { kind: 'discover', peer: e[1] };
    return malformed('discover without a peer pid');
  }
  if (tag === JOIN) {
    const pids = m.length === 4 ? pidOrPids(e[3]) : undefined;
    if (!(e[1] instanceof Pid) || pids === undefined) return malformed('join is not {join, Peer, Group, PidOrPids}');
    return { kind: 'join', peer: e[1], group: e[2], pids };
  }
  if (tag === LEAVE) {
    const pids = m.length === 4 ? pidOrPids(e[2]) : undefined;
    if (!(e[1] instanceof Pid) || pids === undefined || !Array.isArray(e[3]))
      return malformed('leave is not {leave, Peer, PidOrPids, [Group]}');
    return { kind: 'leave', peer: e[1], pids, groups: e[3] };
  }
  if (tag === GEN_CAST && m.length === 2) {
    const cast = e[1];
    if (cast instanceof Tuple && cast.length === 3 && cast.get(0) === SYNC && cast.get(1) instanceof Pid) {
      const groups = syncGroups(cast.get(2));
      if (groups !== undefined) return { kind: 'sync', peer: cast.get(1) as Pid, groups };
    }
    return malformed('a cast that is not {sync, Peer, [{Group, [Pid]}]}');
  }
  if (tag === DOWN) {
    if (m.length === 5 && e[1] instanceof Reference && e[2] === PROCESS && e[3] instanceof Pid) {
      return { kind: 'down', ref: e[1], pid: e[3], reason: e[4] };
    }
    return malformed('a DOWN of another shape');
  }
  if ((tag === NODEUP || tag === NODEDOWN) && m.length === 2 && e[1] instanceof Atom) {
    return { kind: tag === NODEUP ? 'nodeup' : 'nodedown', node: e[1] };
  }
  if (tag === GEN_CALL && m.length === 3) {
    const from = e[1];
    if (from instanceof Tuple && from.length === 2 && from.get(0) instanceof Pid) {
      return { kind: 'call', from: from.get(0) as Pid, tag: from.get(1), call: readCall(e[2]) };
    }
    return malformed('a call without {Pid, Tag}');
  }
  return malformed('an unknown message');
}

/** `{discover, Self}`: the only discover a scope sends (to `{Scope, Node}` or a peer scope pid). */
export function discoverMessage(self: Pid): Tuple {
  return tuple(DISCOVER, self);
}

/** `{'$gen_cast', {sync, Self, [{Group, [Pid]}]}}`: this scope's local members, in full. */
export function syncMessage(self: Pid, groups: Array<[Term, Pid[]]>): Tuple {
  return tuple(
    GEN_CAST,
    tuple(
      SYNC,
      self,
      groups.map(([group, pids]) => tuple(group, pids)),
    ),
  );
}

/** `{join, Self, Group, PidOrPids}`. */
export function joinMessage(self: Pid, group: Term, pidOrPids: Pid | Pid[]): Tuple {
  return tuple(JOIN, self, group, pidOrPids);
}

/** `{leave, Self, PidOrPids, [Group]}`. */
export function leaveMessage(self: Pid, pidOrPids: Pid | Pid[], groups: Term[]): Tuple {
  return tuple(LEAVE, self, pidOrPids, groups);
}

/** `{Ref, join | leave, Group, Pids}`: what a subscriber of `monitor_scope`/`monitor` receives. */
export function notification(ref: Reference, action: Atom, group: Term, pids: Pid[]): Tuple {
  return tuple(ref, action, group, pids);
}
