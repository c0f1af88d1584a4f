/**
 * The reading side of an established connection: `{packet,4}` framing with ticks
 * (src/dist/packets.ts), the distribution header and its atom cache, fragment reassembly and the
 * control and payload terms (message-reader.ts, header.ts, atom-cache-in.ts, fragments-in.ts),
 * with and without DIST_HDR_ATOM_CACHE/FRAGMENTS.
 *
 * Each input is read twice: as one socket chunk, and cut into input-chosen chunks (so frames
 * arrive in pieces, as `PacketParts`). Both readings must agree: the same messages, or both a
 * refusal.
 *
 * Input: one byte of choices (bit 0: headers; bit 1: a small fragment memory limit; bits 2-3: how
 * many cut bytes follow), the cut bytes, then the byte stream.
 */
import { atom, equals, Pid, Reference, Term, tuple } from '../../codec';
import { DistError } from '../../src/dist/errors';
import { DistMessage, MessageReader } from '../../src/dist/message-reader';
import { MessageWriter } from '../../src/dist/message-writer';
import { PacketReader } from '../../src/dist/packets';
import type { FuzzTarget } from '../target';
import { fixtureTerms } from '../support/etf-fixtures';
import { chunksOf } from '../support/fuzzed-data';

const MAX_FRAME = 1 << 20;
const HEADERS = 1;
const SMALL_FRAGMENT_MEMORY = 2;

/** The messages read from `chunks`, and the refusal that ended the reading, if any. */
function readAll(chunks: Buffer[], headers: boolean, maxFragmentBytes: number): { messages: DistMessage[]; error?: DistError } {
  const frames = new PacketReader(MAX_FRAME);
  const reader = new MessageReader({ headers, maxFragmentBytes });
  const messages: DistMessage[] = [];
  try {
    for (const chunk of chunks) {
      for (const frame of frames.pushParts(chunk)) {
        const message = reader.read(frame);
        if (message !== null) messages.push(message);
      }
    }
  } catch (error) {
    if (error instanceof DistError) return { messages, error };
    throw error;
  }
  return { messages };
}

const sameTerm = (a: Term | undefined, b: Term | undefined) => (a === undefined || b === undefined ? a === b : equals(a, b));

function run(input: Buffer): void {
  const options = input[0] ?? 0;
  const headers = (options & HEADERS) !== 0;
  const maxFragmentBytes = options & SMALL_FRAGMENT_MEMORY ? 256 : 1 << 20;
  const cuts = input.subarray(1, 1 + ((options >> 2) & 3));
  const stream = input.subarray(1 + cuts.length);
  const whole = readAll([stream], headers, maxFragmentBytes);
  const pieces = readAll(chunksOf(stream, cuts), headers, maxFragmentBytes);
  if ((whole.error === undefined) !== (pieces.error === undefined)) {
    throw new Error(`read whole: ${whole.error?.message ?? 'accepted'}; read in pieces: ${pieces.error?.message ?? 'accepted'}`);
  }
  if (whole.error) throw whole.error;
  const agree =
    whole.messages.length === pieces.messages.length &&
    whole.messages.every((m, i) => sameTerm(m.control, pieces.messages[i].control) && sameTerm(m.payload, pieces.messages[i].payload));
  if (!agree) throw new Error('the stream read whole and read in pieces gave different messages');
}

function seeds(): Buffer[] {
  const peer = atom('peer@localhost');
  const from = new Pid(peer, 10, 0, 3);
  const to = new Pid(atom('fuzz@localhost'), 5, 0, 1);
  const ref = new Reference(atom('fuzz@localhost'), 1, [1, 2, 3]);
  const messages: Array<[Term, Term?]> = [
    [tuple(6, from, atom(''), atom('rex')), tuple(from, tuple(atom('call'), atom('erlang'), atom('node'), [], from))],
    [tuple(2, atom(''), to), atom('hello')],
    [tuple(19, from, to, ref)],
    [tuple(1, from, to)],
    ...fixtureTerms().map((term): [Term, Term?] => [tuple(22, from, to), term]),
  ];
  const tick = Buffer.alloc(4);
  const out: Buffer[] = [];
  for (const mode of ['pass-through', 'atom cache', 'fragments'] as const) {
    const writer = new MessageWriter({
      headers: mode !== 'pass-through',
      atomCache: mode !== 'pass-through',
      fragments: mode === 'fragments',
      // Small fragments, so that messages of a few dozen bytes come in several.
      fragmentSize: 16,
    });
    const stream = Buffer.concat([tick, ...messages.flatMap(([control, payload]) => writer.write(control, payload)), tick]);
    const headers = mode === 'pass-through' ? 0 : HEADERS;
    out.push(Buffer.concat([Buffer.from([headers]), stream]));
    out.push(Buffer.concat([Buffer.from([headers | (3 << 2), 10, 128, 3]), stream]));
  }
  return out;
}

export const target: FuzzTarget = {
  name: 'dist-frames',
  covers: ['src/dist/packets.ts', 'src/dist/message-reader.ts', 'src/dist/atom-cache-in.ts', 'src/dist/fragments-in.ts'],
  seeds,
  run,
  expected: (error) => error instanceof DistError,
  dictionary: [
    Buffer.from([0, 0, 0, 0]),
    Buffer.from([131, 68]),
    Buffer.from([131, 69]),
    Buffer.from([131, 70]),
    Buffer.from([112, 131]),
    Buffer.from([131, 104]),
  ],
};
