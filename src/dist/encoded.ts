/**
 * Payloads encoded before they are sent: a served call's result is encoded once, when it is made
 * (so that a value with no encoding fails the call, not the connection), and every connection that
 * sends it writes those bytes instead of encoding the term again. The bytes are the term without
 * the version byte and without atom cache references, which every wire format accepts.
 */
import { Atom, Encoder, Term } from '../../codec';

const known = new WeakMap<object, Buffer>();
const encoder = new Encoder();

/**
 * Encode `payload` now and remember the bytes for it; returns it. Throws the `EncodeError` that
 * sending it would throw. Scalars and atoms are checked but not remembered: they encode in a few bytes (an atom through
 * the atom cache), and an interned atom would stay in the table for good.
 */
export function encodeOnce<T extends Term>(payload: T): T {
  const bytes = encoder.encodeWithoutVersion(payload);
  if (typeof payload === 'object' && !(payload instanceof Atom)) known.set(payload, bytes);
  return payload;
}

/** The bytes {@link encodeOnce} made for `payload`, if it did. */
export function knownEncoding(payload: Term): Buffer | undefined {
  return typeof payload === 'object' ? known.get(payload) : undefined;
}
