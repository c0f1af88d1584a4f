/**
 * The key-value store behind kvs: one state shared by the node (rpc and the `kvs` process) and
 * lib_chan's `mod_name_server`.
 */
import { ErlMap, Term } from '../../codec';

/** What `mod_name_server` needs from a store. Keys compare structurally (`=:=`), as in Erlang. */
export interface KvsStore {
  /** Store `value` under `key`, replacing what was there. */
  store(key: Term, value: Term): void;
  /** The value under `key`, or `undefined` when there is none. */
  lookup(key: Term): Term | undefined;
}

/** An in-memory {@link KvsStore}. */
export class MemoryKvsStore implements KvsStore {
  private readonly entries = new ErlMap();

  store(key: Term, value: Term): void {
    this.entries.set(key, value);
  }

  lookup(key: Term): Term | undefined {
    return this.entries.get(key);
  }
}
