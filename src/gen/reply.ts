/**
 * gen's reply rule (`gen:reply/2`), shared by every server of this node: a reply tag `[alias|A]`
 * or `[[alias|A]|_]` is answered through alias A, any other tag to the caller's pid.
 */
import { ImproperList, Pid, Reference, Term, tuple } from '../../codec';
import type { ErlProcess } from '../process/process';
import { ALIAS } from '../process/atoms';

/** The alias a gen reply tag names, if any. */
function replyAlias(tag: Term): Reference | undefined {
  if (!(tag instanceof ImproperList)) return undefined;
  const [head] = tag.elements;
  if (tag.elements.length === 1 && head === ALIAS && tag.tail instanceof Reference) return tag.tail;
  return head instanceof ImproperList ? replyAlias(head) : undefined;
}

/** Where the reply to `{To, Tag}` goes: the alias in the tag, else the pid (nowhere for anything else). */
export function replyTarget(to: Term, tag: Term): Reference | Pid | undefined {
  return replyAlias(tag) ?? (to instanceof Pid ? to : undefined);
}

/** Send `{Tag, Reply}` from `sender` to whoever `{To, Tag}` names. */
export function genReply(sender: ErlProcess, to: Term, tag: Term, reply: Term): void {
  const target = replyTarget(to, tag);
  if (target) sender.send(target, tuple(tag, reply));
}
