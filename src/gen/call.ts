/**
 * `gen:call` from a TypeScript process: monitor the server, send `{'$gen_call', {Self,
 * [alias|Alias]}, Request}`, and take the reply or the DOWN, as OTP's gen does. Used by
 * `ErlClient.call`, the handles of TypeScript gen_servers and `net_adm:ping`.
 */
import { Atom, atom, ImproperList, improperList, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { Deadline, WaitOptions } from '../process/deadline';
import { ErlangExit } from '../process/exceptions';
import { Destination, ErlProcess, globalNameTerm, isGlobalDestination, refKey } from '../process/process';
import { ALIAS, CALL, DOWN, GEN_CALL, NOCONNECTION, NODEDOWN } from '../process/atoms';

/** gen_server's default call timeout. */
const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * gen_server:call failed the way erl's does: `reason` is `{Why, {gen_server, call, [Dest, Request,
 * Timeout]}}`, `why` is `noproc`, `{nodedown, Node}`, or the server's exit reason.
 */
export class GenCallError extends ErlangExit {
  constructor(
    readonly why: Term,
    reason: Term,
  ) {
    super(reason);
    this.name = 'GenCallError';
  }
}

const GEN_SERVER = atom('gen_server');
const INFINITY = atom('infinity');
const GLOBAL = atom('global');
const NOPROC = atom('noproc');

/** A destination other than `{ global: name }`, which a call resolves first. */
type Direct = Exclude<Destination, { readonly global: unknown }>;

/** The Erlang term of a destination, as gen_server's exit reasons name it. */
function destinationTerm(dest: Destination): Term {
  if (isGlobalDestination(dest)) return tuple(GLOBAL, globalNameTerm(dest));
  if (dest instanceof Pid || dest instanceof Reference || dest instanceof Atom) return dest;
  if (typeof dest === 'string') return atom(dest);
  return tuple(asAtom(dest[0]), asAtom(dest[1]));
}

/** The node a destination is on; `local` for a local name. */
function destinationNode(dest: Direct, local: string): string {
  if (dest instanceof Pid || dest instanceof Reference) return dest.node.name;
  if (typeof dest === 'string' || dest instanceof Atom) return local;
  return typeof dest[1] === 'string' ? dest[1] : dest[1].name;
}

function asAtom(a: string | Atom): Atom {
  return typeof a === 'string' ? atom(a) : a;
}

/** `{'DOWN', Ref, process, _, Reason}` for the monitor with this key: the reason, else undefined. */
export function downReason(m: Term, key: string): Term | undefined {
  if (m instanceof Tuple && m.length === 5 && m.get(0) === DOWN && m.get(1) instanceof Reference && refKey(m.get(1) as Reference) === key) {
    return m.get(4);
  }
  return undefined;
}

/**
 * `gen:call(Dest, Label, Request, Timeout)` made by `proc`, which must receive nothing else
 * meanwhile; `Label` is `'$gen_call'`, or `system` for sys's requests. Resolves with the reply; rejects with {@link GenCallError} (`noproc`, `{nodedown,
 * Node}`, the server's exit reason), `ErlTimeoutError` (default 5000 ms) or `signal.reason`.
 */
export async function genCall(
  proc: ErlProcess,
  to: Destination,
  request: Term,
  options: WaitOptions = {},
  label: Atom = GEN_CALL,
): Promise<Term> {
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  const callError = (why: Term) =>
    new GenCallError(why, tuple(why, tuple(GEN_SERVER, CALL, [destinationTerm(to), request, timeout === Infinity ? INFINITY : timeout])));
  // gen_server:call({global, Name}, ...): the name's pid now, else noproc, as gen does it.
  const dest: Direct | undefined = isGlobalDestination(to) ? proc.whereisGlobal(globalNameTerm(to)) : to;
  if (dest === undefined) throw callError(NOPROC);
  const deadline = new Deadline('call', { timeout, signal: options.signal });
  const mref = dest instanceof Reference ? undefined : proc.monitor(dest);
  const mkey = mref && refKey(mref);
  const alias = proc.alias();
  const akey = refKey(alias);
  try {
    proc.send(dest, tuple(label, tuple(proc.pid, improperList([ALIAS], alias)), request));
  } catch {
    // A local name nobody has: the monitor has already said noproc.
  }
  try {
    const answer = await deadline.receive(proc, (m): { reply: Term } | { down: Term } | undefined => {
      if (m instanceof Tuple && m.length === 2) {
        const t = m.get(0);
        if (
          t instanceof ImproperList &&
          t.elements.length === 1 &&
          t.elements[0] === ALIAS &&
          t.tail instanceof Reference &&
          refKey(t.tail) === akey
        ) {
          return { reply: m.get(1) };
        }
      }
      const down = mkey === undefined ? undefined : downReason(m, mkey);
      return down === undefined ? undefined : { down };
    });
    if ('reply' in answer) return answer.reply;
    throw callError(answer.down === NOCONNECTION ? tuple(NODEDOWN, atom(destinationNode(dest, proc.pid.node.name))) : answer.down);
  } finally {
    if (mref) proc.demonitor(mref);
    proc.unalias(alias);
  }
}
