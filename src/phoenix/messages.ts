/**
 * The one message of the PG2 adapter's wire format: `{forward_to_local, Topic, Message,
 * Dispatcher}`, sent to each remote worker of the chosen group (or to `{Group, Node}`), where the
 * worker hands it to `Phoenix.PubSub.local_broadcast/4`. Topics are binaries (Elixir strings).
 */
import { Atom, atom, Term, Tuple, tuple } from '../../codec';

const FORWARD_TO_LOCAL = atom('forward_to_local');

/** A topic as given to the API: text (sent as its UTF-8 binary) or the binary itself. */
export type Topic = string | Buffer;

/** The topic's binary, as it travels. */
export function topicBinary(topic: Topic): Buffer {
  return typeof topic === 'string' ? Buffer.from(topic, 'utf8') : topic;
}

/** A lossless key for a topic's bytes (two topics are the same when their binaries are). */
export function topicKey(topic: Topic): string {
  return topicBinary(topic).toString('latin1');
}

/** `{forward_to_local, Topic, Message, Dispatcher}`. */
export function forwardToLocal(topic: Topic, message: Term, dispatcher: Atom): Tuple {
  return tuple(FORWARD_TO_LOCAL, topicBinary(topic), message, dispatcher);
}

/** A `forward_to_local` as read from the network, or why it is not one. */
export type Forwarded = { kind: 'forward'; topic: Buffer; message: Term; dispatcher: Atom } | { kind: 'malformed'; why: string };

/** Read a worker's mailbox message. Anything but the 4-tuple with a binary topic and an atom dispatcher is malformed. */
export function readForwarded(m: Term): Forwarded {
  if (!(m instanceof Tuple) || m.length !== 4 || m.get(0) !== FORWARD_TO_LOCAL) return { kind: 'malformed', why: 'not a forward_to_local' };
  const [, topic, message, dispatcher] = m.elements;
  if (!Buffer.isBuffer(topic)) return { kind: 'malformed', why: 'a forward_to_local whose topic is not a binary' };
  if (!(dispatcher instanceof Atom)) return { kind: 'malformed', why: 'a forward_to_local whose dispatcher is not an atom' };
  return { kind: 'forward', topic, message, dispatcher };
}
