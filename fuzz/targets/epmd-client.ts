/**
 * The EPMD client's reply readers fed what a hostile EPMD answers: the ALIVE2 reply
 * (ALIVE2_RESP / ALIVE2_X_RESP), PORT2_RESP and the NAMES reply, each on an in-memory socket that
 * closes after the input. The client's one seam to the network is `connectTcp`, which is swapped
 * for an in-memory socket while an input runs.
 *
 * Input: one byte choosing the request (register, look up, list names), then EPMD's bytes.
 */
import { EpmdError, listNames, lookupNode, registerNode } from '../../handshake';
import { serializeAlive2Reply, serializeNamesReply, serializePort2Reply } from '../../handshake/epmd/replies';
import * as tcp from '../../handshake/transport/tcp';
import type { FuzzTarget } from '../target';
import { MemorySocket } from '../support/memory-socket';

const REQUESTS = ['register', 'lookup', 'names'] as const;
const OPTIONS = { host: '127.0.0.1', port: 4369, timeout: 200 };

/** Run `request` with every EPMD connection answering `reply` and then closing. */
async function withEpmdAnswering<T>(reply: Buffer, request: () => Promise<T>): Promise<T> {
  const module = tcp as { connectTcp: typeof tcp.connectTcp };
  const real = module.connectTcp;
  module.connectTcp = () => {
    const socket = MemorySocket.replaying(reply);
    return Promise.resolve(socket.asSocket);
  };
  try {
    return await request();
  } finally {
    module.connectTcp = real;
  }
}

async function run(input: Buffer): Promise<void> {
  const request = REQUESTS[(input[0] ?? 0) % REQUESTS.length];
  const reply = input.subarray(1);
  switch (request) {
    case 'register': {
      const registration = await withEpmdAnswering(reply, () => registerNode('fuzz', 4370, OPTIONS));
      await registration.unregister();
      return;
    }
    case 'lookup':
      await withEpmdAnswering(reply, () => lookupNode('fuzz', OPTIONS));
      return;
    case 'names':
      await withEpmdAnswering(reply, () => listNames(OPTIONS));
      return;
  }
}

function seeds(): Buffer[] {
  const node = { name: 'fuzz', port: 4370, nodeType: 77, protocol: 0, highestVersion: 6, lowestVersion: 5, extra: Buffer.alloc(0) };
  const tagged = (request: (typeof REQUESTS)[number], reply: Buffer) => Buffer.concat([Buffer.from([REQUESTS.indexOf(request)]), reply]);
  return [
    tagged('register', serializeAlive2Reply(0, 1234567, true)),
    tagged('register', serializeAlive2Reply(0, 2, false)),
    tagged('register', serializeAlive2Reply(1, 99, true)),
    tagged('lookup', serializePort2Reply(node)),
    tagged('lookup', serializePort2Reply({ ...node, extra: Buffer.from('extra') })),
    tagged('lookup', serializePort2Reply(null)),
    tagged('names', serializeNamesReply(4369, [node, { name: 'other', port: 5555 }])),
  ];
}

export const target: FuzzTarget = {
  name: 'epmd-client',
  covers: ['handshake/epmd/client.ts', 'handshake/epmd/replies.ts', 'handshake/epmd/node.ts', 'handshake/transport/socket-reader.ts'],
  seeds,
  run,
  expected: (error) => error instanceof EpmdError,
  dictionary: [
    Buffer.from([118]),
    Buffer.from([121]),
    Buffer.from([119, 0]),
    Buffer.from('name '),
    Buffer.from(' at port '),
    Buffer.from('\n'),
  ],
};
