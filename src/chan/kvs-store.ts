/**
 * The key-value store behind `mod_name_server`: the book's kvs, as an object that a node can share.
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
