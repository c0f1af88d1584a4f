/**
 * The `rex` server, for callers that still use it: `rpc:block_call`, C nodes and jinterface-style
 * `{From, {call, M, F, A, GL}}` requests, casts, and rex's `features_request`. Since OTP 25
 * `rpc:call` itself goes through erpc (see SpawnService).
 */
import { Atom, atom, Pid, Term, Tuple, tuple } from '../../codec';
import { caught } from '../process/outcome';
import { ErlProcess } from '../process/process';
import { applyRegistered } from './apply';
import { rpcValue } from './erpc';
import { ModuleRegistry } from './modules';

const CALL = atom('call');
const BLOCK_CALL = atom('block_call');
const CAST = atom('cast');
const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const REX = atom('rex');
const FEATURES_REQUEST = atom('features_request');
const FEATURES_REPLY = atom('features_reply');
const ERPC = atom('erpc');

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
    /** `gen:reply({To, Tag}, Reply)`. */
    private readonly genReply: (to: Term, tag: Term, reply: Term) => void,
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
      if (req && req.kind !== CAST) this.run(req, (result) => ({ to: first, message: tuple(REX, result) }));
      return;
    }
    if (message.length === 3 && first === GEN_CALL && second instanceof Tuple && second.length === 2) {
      const req = request(third);
      if (req) this.run(req, (result) => ({ to: second.get(0), tag: second.get(1), message: result }));
      return;
    }
    if (message.length === 2 && first === GEN_CAST) {
      const req = request(second);
      if (req && req.kind === CAST) this.run(req, null);
    }
  }

  private run(
    req: { m: Atom; f: Atom; a: Term[]; gl: Term },
    answer: ((result: Term) => { to: Term; tag?: Term; message: Term }) | null,
  ): void {
    const proc = this.worker();
    void applyRegistered(this.registry, req.m, req.f, req.a, { self: proc, groupLeader: req.gl }).then((outcome) => {
      if (answer) {
        const { to, tag, message } = answer(rpcValue(caught(outcome)));
        if (tag === undefined) {
          if (to instanceof Pid) proc.send(to, message);
        } else {
          this.genReply(to, tag, message);
        }
      }
      proc.exit();
    });
  }
}
