/**
 * `gen_server:multi_call(Nodes, global_name_server, Request)` with an infinite timeout, made by
 * the calling process itself, as OTP makes it: a monitor on `{global_name_server, Node}` and a
 * `{'$gen_call', {Self, {Ref, Node}}, Request}` per node. The caller's pid matters: a lock is
 * held by the pid that asked for it. Only an answer or a DOWN (`noconnection` when the node goes)
 * ends each call, exactly as in erl.
 */
import { atom, Reference, Term, Tuple, tuple } from '../../codec';
import { DOWN, GEN_CALL } from '../process/atoms';
import { ErlProcess, refKey } from '../process/process';
import { GLOBAL_NAME_SERVER } from './atoms';

export interface MultiCallResult {
  replies: Array<[node: string, reply: Term]>;
  /** Nodes whose server was gone, or that could not be reached. */
  badNodes: string[];
}

export async function multiCall(caller: ErlProcess, nodes: readonly string[], request: Term): Promise<MultiCallResult> {
  const calls = nodes.map((node) => {
    const ref = caller.monitor([GLOBAL_NAME_SERVER, node]);
    caller.send([GLOBAL_NAME_SERVER, node], tuple(GEN_CALL, tuple(caller.pid, tuple(ref, atom(node))), request));
    return { node, ref };
  });
  const outcomes = await Promise.all(calls.map(({ ref }) => caller.receive((m) => answerTo(m, ref))));
  const result: MultiCallResult = { replies: [], badNodes: [] };
  outcomes.forEach((outcome, i) => {
    const { node, ref } = calls[i];
    if (outcome.down) result.badNodes.push(node);
    else {
      caller.demonitor(ref);
      result.replies.push([node, outcome.reply]);
    }
  });
  return result;
}

type Answer = { down: false; reply: Term } | { down: true };

/** `{{Ref, Node}, Reply}` or `{'DOWN', Ref, process, _, _}` for this call, else undefined. */
function answerTo(m: Term, ref: Reference): Answer | undefined {
  if (!(m instanceof Tuple)) return undefined;
  const key = refKey(ref);
  if (m.length === 2) {
    const tag = m.get(0);
    if (tag instanceof Tuple && tag.length === 2 && tag.get(0) instanceof Reference && refKey(tag.get(0) as Reference) === key) {
      return { down: false, reply: m.get(1) };
    }
    return undefined;
  }
  if (m.length === 5 && m.get(0) === DOWN && m.get(1) instanceof Reference && refKey(m.get(1) as Reference) === key) return { down: true };
  return undefined;
}
