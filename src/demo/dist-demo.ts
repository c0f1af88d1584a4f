/**
 * The book's dist_demo served by TypeScript: `Pid = dist_demo:start(Ts)` on an erl node (which is
 * `spawn(Ts, fun() -> loop() end)`) starts this loop here, and `dist_demo:rpc(Pid, M, F, A)` runs
 * the registered `M:F(A...)` in it, answering `{self(), Result}` where Result is what
 * `catch apply(M, F, A)` gives: the value, a thrown value, `{'EXIT', Reason}` for exits and
 * `{'EXIT', {Reason, Stack}}` for errors (`undef` for anything not registered). The loop survives
 * every failure and answers requests one at a time, in order.
 *
 * The fun is the only one in fixtures/dist_demo/dist_demo.erl, so the compiler makes it index 0,
 * arity 0, with no free variables.
 */
import { Atom, atom, Pid, Term, Tuple, tuple } from '../../codec';
import type { ErlNode } from '../node/node';
import type { ErlProcess } from '../process/process';
import { caught } from '../process/outcome';
import { applyRegistered, sendable } from '../rpc/apply';
import type { ModuleRegistry } from '../rpc/modules';

const RPC = atom('rpc');

/** `{rpc, From, M, F, A}`, else undefined (other messages stay queued, as in the Erlang loop). */
function request(m: Term): { from: Pid; m: Atom; f: Atom; a: Term[] } | undefined {
  if (!(m instanceof Tuple) || m.length !== 5 || m.get(0) !== RPC) return undefined;
  const [, from, mod, fn, args] = m.elements;
  if (!(from instanceof Pid) || !(mod instanceof Atom) || !(fn instanceof Atom) || !Array.isArray(args)) return undefined;
  return { from, m: mod, f: fn, a: args };
}

/** The loop: one process, forever (until it is killed or its node stops). */
export async function distDemoLoop(self: ErlProcess, registry: ModuleRegistry): Promise<void> {
  for (;;) {
    const req = await self.receive(request);
    const outcome = await applyRegistered(registry, req.m, req.f, req.a, { self, groupLeader: self.groupLeader });
    const site = { module: req.m, function: req.f, arity: req.a.length };
    self.send(req.from, sendable(outcome, site, (o) => tuple(self.pid, caught(o))).term);
  }
}

/** Serve `dist_demo:start(Node)` (its fun, index 0, arity 0) on `node`. */
export function serveDistDemo(node: ErlNode): void {
  node.modules.registerFun('dist_demo', 0, 0, (self) => distDemoLoop(self, node.modules));
}
