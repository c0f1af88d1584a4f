/**
 * The names Phoenix.PubSub's PG2 adapter uses: the pg scope, the adapter name (`Module.concat(
 * pubsub, "Adapter")`) and the pool's groups, each also the name its worker is registered under.
 */
import { Atom, atom, Term } from '../../codec';

/** The pg scope phoenix_pubsub's application starts: `Phoenix.PubSub`, not the default `pg`. */
export const PUBSUB_SCOPE = atom('Elixir.Phoenix.PubSub');

/** The default dispatcher, `Phoenix.PubSub` (whose `dispatch/3` sends the message as it is). */
export const DEFAULT_DISPATCHER = atom('Elixir.Phoenix.PubSub');

/** An Elixir module's atom: `MyApp.PubSub` is `'Elixir.MyApp.PubSub'` (a name with the prefix stays). */
export function elixirModule(name: string | Atom): Atom {
  const text = typeof name === 'string' ? name : name.name;
  return atom(text.startsWith('Elixir.') ? text : `Elixir.${text}`);
}

/** `Module.concat(pubsub, "Adapter")`: `'Elixir.MyApp.PubSub.Adapter'`. */
export function adapterName(pubsub: Atom): Atom {
  return atom(`${pubsub.name}.Adapter`);
}

/** The pool's groups: `[Adapter, Adapter_2, ..., Adapter_N]`, as the adapter's supervisor names them. */
export function poolGroups(adapter: Atom, poolSize: number): Atom[] {
  const groups = [adapter];
  for (let n = 2; n <= poolSize; n++) groups.push(atom(`${adapter.name}_${n}`));
  return groups;
}

/** True for a group of `adapter`'s pool of any size: `Adapter` itself or `Adapter_N` with N >= 2. */
export function isPoolGroup(adapter: Atom, group: Term): group is Atom {
  if (!(group instanceof Atom)) return false;
  if (group === adapter) return true;
  const prefix = `${adapter.name}_`;
  return group.name.startsWith(prefix) && /^([2-9]|[1-9][0-9]+)$/.test(group.name.slice(prefix.length));
}
