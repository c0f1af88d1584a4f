/**
 * The lib_chan client's handshake fed what a hostile server sends: the challenge, `ack`,
 * `badService`, `authFail` or anything else, framed `{packet,4}`, then a reply to one rpc. The
 * client's one seam to the network is `dial`, swapped for an in-memory socket while an input runs.
 *
 * Input: one byte of choices (bit 0: the client has a password), then the server's stream, after
 * which the server closes.
 */
import { atom, charlist, encode, Term, tuple } from '../../codec';
import { ChanError, connect, frame } from '../../src/chan';
import * as transport from '../../src/chan/transport';
import type { FuzzTarget } from '../target';
import { MemorySocket } from '../support/memory-socket';

const WITH_SECRET = 1;

async function run(input: Buffer): Promise<void> {
  const module = transport as { dial: typeof transport.dial };
  const real = module.dial;
  module.dial = () => {
    const socket = MemorySocket.replaying(input.subarray(1));
    return Promise.resolve(socket.asSocket);
  };
  try {
    const secret = (input[0] ?? 0) & WITH_SECRET ? 'qwerty' : null;
    const channel = await connect('127.0.0.1', 2233, 'math', { secret, handshakeTimeout: 200 });
    try {
      await channel.rpc(tuple(atom('factorial'), 5), { timeout: 200 });
    } finally {
      channel.close();
    }
  } finally {
    module.dial = real;
  }
}

function seeds(): Buffer[] {
  const frameOf = (term: Term) => frame(encode(term));
  const challenge = frameOf(tuple(atom('challenge'), charlist('abcdefghijklmnopqrstuvwxy')));
  return [
    Buffer.concat([Buffer.from([0]), frameOf(atom('ack')), frameOf(120)]),
    Buffer.concat([Buffer.from([WITH_SECRET]), challenge, frameOf(atom('ack')), frameOf(120)]),
    Buffer.concat([Buffer.from([WITH_SECRET]), challenge, frameOf(atom('authFail'))]),
    Buffer.concat([Buffer.from([0]), challenge]),
    Buffer.concat([Buffer.from([0]), frameOf(atom('badService'))]),
  ];
}

export const target: FuzzTarget = {
  name: 'chan-client',
  covers: ['src/chan/client.ts', 'src/chan/channel.ts', 'src/chan/frame.ts', 'src/chan/auth.ts'],
  seeds,
  run,
  expected: (error) => error instanceof ChanError,
  dictionary: [Buffer.from([0, 0, 0]), Buffer.from('challenge'), Buffer.from('ack'), Buffer.from('authFail'), Buffer.from('badService')],
};
