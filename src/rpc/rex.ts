/**
 * The `rex` server, for callers that still use it: `rpc:block_call`, C nodes and jinterface-style
 * `{From, {call, M, F, A, GL}}` requests, casts, and rex's `features_request`. Since OTP 25
 * `rpc:call` itself goes through erpc (see SpawnService).
 */
import { Atom, atom, Pid, Term, Tuple, tuple } from '../../codec';
import { replyTarget } from '../gen/reply';
import { caught } from '../process/outcome';
import { Destination, ErlProcess } from '../process/process';
import { applyRegistered, sendable } from './apply';
import { rpcValue } from './erpc';
import { ModuleRegistry } from './modules';
import { BADRPC, CALL, ERPC, GEN_CALL, GEN_CAST, NODEDOWN, REX } from '../process/atoms';
import { ServedCalls } from './served-calls';

const BLOCK_CALL = atom('block_call');
const CAST = atom('cast');
const FEATURES_REQUEST = atom('features_request');
const FEATURES_REPLY = atom('features_reply');

/** `{call | block_call, M, F, A, GL}` or `{cast, M, F, A, GL}`, else null. */
function request(term: Term): { kind: Atom; m: Atom; f: Atom; a: Term[]; gl: Term } | null {
  if (!(term instanceof Tuple) || term.length !== 5) return null;
  const [kind, m, f, a, gl] = term.elements;
  if ((kind !== CALL && kind !== BLOCK_CALL && kind !== CAST) || !(m instanceof Atom) || !(f instanceof Atom) || !Array.isArray(a))
    return null;
  return { kind, m, f, a, gl };
}

export class RexServer {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly nodeName: Atom,
    /** A process to run one call in, and to send the reply from. */
    private readonly worker: () => ErlProcess,
    /** Calls going on, and whether the node still takes new ones. */
    private readonly calls = new ServedCalls(),
  ) {}

  /** A message sent to the registered name `rex`. Unknown shapes are dropped, as rex ignores them. */
  handle(message: Term): void {
    if (!(message instanceof Tuple)) return;
    const [first, second, third] = message.elements;
    if (message.length === 2 && first instanceof Pid && second === FEATURES_REQUEST) {
      this.worker().send(first, tuple(FEATURES_REPLY, this.nodeName, [ERPC]));
      return;
    }
    if (message.length === 2 && first instanceof Pid) {
      const req = request(second);
      if (req && req.kind !== CAST) this.run(req, { to: first, message: (result) => tuple(REX, result) });
      return;
    }
    if (message.length === 3 && first === GEN_CALL && second instanceof Tuple && second.length === 2) {
      const req = request(third);
      const [to, tag] = second.elements;
      if (req) this.run(req, { to: replyTarget(to, tag), message: (result) => tuple(tag, result) });
      return;
    }
    if (message.length === 2 && first === GEN_CAST) {
      const req = request(second);
      if (req && req.kind === CAST) this.run(req, null);
    }
  }

  /** Run the call in a worker; `answer` says where its result goes, in what message (none for a cast). */
  private run(
    req: { m: Atom; f: Atom; a: Term[]; gl: Term },
    answer: { to: Destination | undefined; message: (result: Term) => Term } | null,
  ): void {
    const proc = this.worker();
    if (this.calls.closed) {
      // The node is stopping: the answer a caller gets from a node that has gone.
      if (answer?.to) proc.send(answer.to, answer.message(tuple(BADRPC, NODEDOWN)));
      proc.exit();
      return;
    }
    const site = { module: req.m, function: req.f, arity: req.a.length };
    this.calls.track(
      applyRegistered(this.registry, req.m, req.f, req.a, { self: proc, groupLeader: req.gl }).then((outcome) => {
        if (answer?.to) proc.send(answer.to, sendable(outcome, site, (o) => answer.message(rpcValue(caught(o)))).term);
        proc.exit();
      }),
    );
  }
}
