/**
 * What a served function learns about its call: its own file, so that the registry and the
 * clauses of served functions (which both need it) do not import each other.
 */
import { Term } from '../../codec';
import type { ErlProcess } from '../process/process';

/** What a served function learns about its call (as `this`). */
export interface CallContext {
  /** The process running the call (for rpc: the one erl spawned for it). */
  readonly self: ErlProcess;
  /** The caller's group leader: where the call's output goes. */
  readonly groupLeader: Term | undefined;
}
