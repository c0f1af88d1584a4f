/**
 * `mod_name_server`: the book's name server over lib_chan. `{store, K, V}` stores without a reply
 * (clients cast it); `{lookup, K}` replies `{ok, V}` or `undefined`.
 */
import { Term, atom, isRecord, tuple } from '../../codec';
import type { Channel } from './channel';
import type { ChanService } from './service';
import { KvsStore, MemoryKvsStore } from '../kvs/store';

/** A name server service over `store` (a fresh in-memory one by default). */
export function modNameServer(store: KvsStore = new MemoryKvsStore()): ChanService {
  return {
    start(channel: Channel): void {
      channel.onMessage((message: Term) => {
        if (isRecord(message, 'store', 3)) {
          store.store(message.get(1), message.get(2));
        } else if (isRecord(message, 'lookup', 2)) {
          const value = store.lookup(message.get(1));
          channel.send(value === undefined ? atom('undefined') : tuple(atom('ok'), value));
        }
        // Anything else is ignored, as the book's receive leaves it unmatched.
      });
    },
  };
}
