/**
 * Helpers for global's conformance tests: run an expression in erl with a bound on how long it
 * may take, in a process of its own, so that a protocol bug that would make global block for
 * ever fails the test instead (and leaves the node's eval loop free).
 */
import { OtpNode } from '../support/otp-node';

/** `Expr`'s value printed with ~w, or `timeout` after `ms`. */
export function within(erl: OtpNode, expr: string, ms = 10000): Promise<string> {
  return erl.eval(
    `begin S__ = self(), R__ = make_ref(), spawn(fun() -> S__ ! {R__, (${expr})} end), receive {R__, V__} -> V__ after ${ms} -> timeout end end`,
    ms + 5000,
  );
}
