/**
 * The five codec workloads, as erlbridge terms. Keep in step with `term/1` in beam_codec.erl,
 * which builds the same terms in Erlang (the bench checks erlbridge's bytes against BEAM's).
 */
import { atom, bin, float, map, Pid, Reference, Term, tuple } from '../../codec';

export type WorkloadId = 'a' | 'b' | 'c' | 'd' | 'e';

export interface Workload {
  id: WorkloadId;
  /** Short label for the table. */
  label: string;
  /** What the term is, in Erlang. */
  erlang: string;
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'a', label: '(a) small gen_call', erlang: '{\'$gen_call\', {Pid, Ref}, {store, weather, <<"fine">>}}' },
  {
    id: 'b',
    label: '(b) 1,000 maps',
    erlang: '[#{id => N, name => <<"user N">>, score => N * 1.5, active => true} || N <- lists:seq(1, 1000)]',
  },
  { id: 'c', label: '(c) 1 MiB binary', erlang: '<< <<(32 + (I * 7) rem 95)>> || I <- lists:seq(0, 1048575) >>' },
  { id: 'd', label: '(d) 100,000 small ints', erlang: '[I rem 256 || I <- lists:seq(0, 99999)]' },
  { id: 'e', label: '(e) list nested 1,000 deep', erlang: 'lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, 1000))' },
];

export const NODE = 'nonode@nohost';
/** `<0.80.0>` on a node that is not distributed (creation 0). */
export const PID = { id: 80, serial: 0, creation: 0 };
/** `#Ref<0.1.2.3>`: the words as they are on the wire (the last printed first). */
export const REF = { creation: 0, ids: [3, 2, 1] };
export const MAP_COUNT = 1000;
export const BLOB_SIZE = 1024 * 1024;
export const INT_COUNT = 100_000;
export const DEPTH = 1000;

/** The 1 MiB payload: printable ASCII, so the codecs that only have strings can round-trip it. */
export function blob(): Buffer {
  const b = Buffer.allocUnsafe(BLOB_SIZE);
  for (let i = 0; i < BLOB_SIZE; i++) b[i] = 32 + ((i * 7) % 95);
  return b;
}

export function smallInts(): number[] {
  const xs = new Array<number>(INT_COUNT);
  for (let i = 0; i < INT_COUNT; i++) xs[i] = i % 256;
  return xs;
}

/** Builds `[[[...[]...]]]` with `wrap` as the list constructor of the codec at hand. */
export function nested<T>(empty: T, wrap: (inner: T) => T): T {
  let x = empty;
  for (let i = 0; i < DEPTH; i++) x = wrap(x);
  return x;
}

/** The erlbridge term of a workload. */
export function erlbridgeTerm(id: WorkloadId): Term {
  switch (id) {
    case 'a': {
      const node = atom(NODE);
      return tuple(
        atom('$gen_call'),
        tuple(new Pid(node, PID.id, PID.serial, PID.creation), new Reference(node, REF.creation, REF.ids)),
        tuple(atom('store'), atom('weather'), bin('fine')),
      );
    }
    case 'b': {
      const list: Term[] = [];
      for (let n = 1; n <= MAP_COUNT; n++) {
        list.push(map({ id: n, name: bin(`user ${n}`), score: float(n * 1.5), active: true }));
      }
      return list;
    }
    case 'c':
      return blob();
    case 'd':
      return smallInts();
    case 'e':
      return nested<Term>([], (inner) => [inner]);
  }
}
