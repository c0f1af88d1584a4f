/**
 * A lib_chan server session fed a hostile client byte stream: `{packet,4}` framing, the
 * `{startService, Name, ArgsC}` request, the answer to the password challenge and the service's
 * messages (mod_name_server, mod_echo, mod_math), in input-chosen pieces, on an in-memory socket.
 * Once the client has closed, the channel must close too, whatever the stream held.
 *
 * Input: one byte of choices (bit 0: the fixture's config as it is, or with its passwords
 * removed so the fuzzer reaches every service; bits 1-2: how many cut bytes follow), the cut
 * bytes, then the client's stream, after which the client closes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atom, charlist, encode, Term, tuple } from '../../codec';
import { Channel, ChanConfig, defaultChanModules, frame, HANDSHAKE_LIMITS, MemoryKvsStore, parseChanConfig } from '../../src/chan';
import { runSession, SessionContext } from '../../src/chan/session';
import type { FuzzTarget } from '../target';
import { chunksOf } from '../support/fuzzed-data';
import { MemorySocket } from '../support/memory-socket';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'lib_chan', 'lib_chan.conf');
const OPEN_CONFIG = 1;
/** How long the channel may stay open after the client closed. */
const CLOSE_WITHIN_MS = 200;

let configs: { asWritten: ChanConfig; open: ChanConfig } | undefined;

function fixtureConfigs(): { asWritten: ChanConfig; open: ChanConfig } {
  if (!configs) {
    const asWritten = parseChanConfig(fs.readFileSync(FIXTURE, 'utf8'), FIXTURE);
    configs = { asWritten, open: { ...asWritten, services: asWritten.services.map((s) => ({ ...s, password: null })) } };
  }
  return configs;
}

function contextFor(config: ChanConfig): SessionContext {
  const modules = defaultChanModules(new MemoryKvsStore());
  return {
    lookup(name) {
      const found = config.services.find((s) => s.name === name);
      return found && { config: found, service: modules[found.module] };
    },
    handshakeTimeout: CLOSE_WITHIN_MS,
    payloadLimits: { maxFrameSize: 1 << 16, decode: { maxInputSize: 1 << 16, maxDecompressedSize: 1 << 16 } },
    log: () => undefined,
  };
}

function closedWithin(channel: Channel, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    channel.onClose(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function run(input: Buffer): Promise<void> {
  const options = input[0] ?? 0;
  const { asWritten, open } = fixtureConfigs();
  const cuts = input.subarray(1, 1 + ((options >> 1) & 3));
  const socket = new MemorySocket();
  const channel = new Channel(socket.asSocket, HANDSHAKE_LIMITS);
  const session = runSession(channel, contextFor(options & OPEN_CONFIG ? open : asWritten));
  socket.feedAll(chunksOf(input.subarray(1 + cuts.length), cuts));
  await session;
  if (!(await closedWithin(channel, CLOSE_WITHIN_MS))) {
    channel.destroy();
    throw new Error(`the channel stayed open ${CLOSE_WITHIN_MS} ms after the client closed`);
  }
}

const frameOf = (term: Term) => frame(encode(term));
const start = (service: string, args: Term = []) => frameOf(tuple(atom('startService'), atom(service), args));

function seeds(): Buffer[] {
  const streams: Array<[number, Buffer[]]> = [
    [0, [start('echo'), frameOf(atom('hello')), frameOf(tuple(1, 2.5, 'text'))]],
    [0, [start('nameServer'), frameOf(tuple(atom('response'), charlist('0123456789abcdef0123456789abcdef')))]],
    [0, [start('nope')]],
    [OPEN_CONFIG, [start('nameServer'), frameOf(tuple(atom('store'), atom('k'), 42)), frameOf(tuple(atom('lookup'), atom('k')))]],
    [
      OPEN_CONFIG,
      [start('math'), frameOf(tuple(atom('factorial'), 20)), frameOf(tuple(atom('fibonacci'), 90)), frameOf(tuple(atom('fibonacci'), -1))],
    ],
  ];
  return streams.map(([options, frames]) => Buffer.concat([Buffer.from([options]), ...frames]));
}

export const target: FuzzTarget = {
  name: 'chan-server',
  covers: [
    'src/chan/session.ts',
    'src/chan/channel.ts',
    'src/chan/frame.ts',
    'src/chan/auth.ts',
    'src/chan/mod_name_server.ts',
    'src/chan/mod_math.ts',
  ],
  seeds,
  run,
  // A session refuses by closing the channel; it has nothing to throw.
  expected: () => false,
  dictionary: [
    Buffer.from([0, 0, 0]),
    Buffer.from([131, 104, 3, 119, 12]),
    Buffer.from('startService'),
    Buffer.from('response'),
    Buffer.from('factorial'),
    Buffer.from('lookup'),
  ],
};
