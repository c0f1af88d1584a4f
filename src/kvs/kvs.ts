/**
 * The book's kvs, served by TypeScript with one state behind both of its faces: the module
 * (`rpc:call(Node, kvs, store, [K, V])` -> `true`, `lookup` -> `{ok, V}` | `undefined`) and the
 * registered process `kvs` (`{From, {store, K, V}}` -> `{kvs, true}`, `{From, {lookup, K}}` ->
 * `{kvs, {ok, V} | undefined}`).
 */
import { atom, Pid, Term, Tuple, tuple } from '../../codec';
import { KvsStore, MemoryKvsStore } from './store';
import type { ErlNode } from '../node/node';
import type { ErlProcess } from '../process/process';
import { OK } from '../process/atoms';

const KVS = atom('kvs');
const UNDEFINED = atom('undefined');
const STORE = atom('store');
const LOOKUP = atom('lookup');

function lookupReply(store: KvsStore, key: Term): Term {
  const value = store.lookup(key);
  return value === undefined ? UNDEFINED : tuple(OK, value);
}

/** The answer to one kvs protocol message, or undefined for a message kvs does not speak. */
function answer(store: KvsStore, message: Term): { to: Pid; reply: Term } | undefined {
  if (!(message instanceof Tuple) || message.length !== 2 || !(message.get(0) instanceof Pid)) return undefined;
  const [from, q] = message.elements as [Pid, Term];
  if (q instanceof Tuple && q.length === 3 && q.get(0) === STORE) {
    store.store(q.get(1), q.get(2));
    return { to: from, reply: tuple(KVS, true) };
  }
  if (q instanceof Tuple && q.length === 2 && q.get(0) === LOOKUP) return { to: from, reply: tuple(KVS, lookupReply(store, q.get(1))) };
  return undefined;
}

/**
 * Serve kvs on `node`: the module `kvs` and the process registered as `kvs`. Returns the process.
 * Messages kvs does not speak are dropped (the book's server would keep them queued forever).
 */
export function serveKvs(node: ErlNode, store: KvsStore = new MemoryKvsStore()): ErlProcess {
  node.modules.registerModule('kvs', {
    store: (key: Term, value: Term) => {
      store.store(key, value);
      return true;
    },
    lookup: (key: Term) => lookupReply(store, key),
  });
  return node.spawn(
    async (self) => {
      for (;;) {
        const message = await self.receive();
        const a = answer(store, message);
        if (a) self.send(a.to, a.reply);
      }
    },
    { name: 'kvs' },
  );
}
