/** How calls into other nodes fail beyond Erlang's own exception classes (see process/exceptions). */
import { atom, Term, tuple } from '../../codec';
import { ErlangError } from '../process/exceptions';

/**
 * erpc could not run the call: `{erpc, Why}`, as erpc raises it. `why` is `noconnection` (node
 * down or unreachable), `notsup` (the node cannot spawn for others), `badarg`, or what the remote
 * node's spawn failed with (`system_limit`, ...).
 */
export class ErpcError extends ErlangError {
  constructor(readonly why: Term) {
    super(tuple(atom('erpc'), why));
    this.name = 'ErpcError';
  }
}

/** A remote `spawn` failed: `reason` is the atom the node answered (`badopt`, `notsup`, `noconnection`, ...). */
export class SpawnError extends ErlangError {
  constructor(reason: Term) {
    super(reason);
    this.name = 'SpawnError';
  }
}
