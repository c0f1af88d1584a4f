/**
 * The node of test/node/atom-flood.test.ts's ten-million-atom flood, as a process of its own so
 * that its heap can be capped (`--max-old-space-size`) and measured apart from jest's:
 *
 *   atom-flood-node.ts NAME COOKIE EPMD_PORT ATOMS ATOMS_PER_MESSAGE
 *
 * Starts the node (kvs served, a registered `atom_sink` that drops what it gets), prints `ready`,
 * and once a node other than the flooding peer connects (the test's erl client), floods itself from
 * a raw peer (test/support/atom-flood.ts). When the sink has every atom it prints one JSON line of
 * figures (heap and atom table before, at their peak and after a full GC), and stops on SIGTERM.
 */
import * as v8 from 'v8';
import { Atom } from '../../codec';
import { awaitAtoms, connectFloodPeer, startAtomSinkNode, watchMemoryPeaks } from '../support/atom-flood';
import { reclaimDeadAtoms } from '../support/atom-table';

async function main(): Promise<void> {
  const [name, cookie, epmdPort, atoms, perMessage] = process.argv.slice(2);
  const messages = Math.ceil(Number(atoms) / Number(perMessage));
  const logs: string[] = [];
  const { node, received } = await startAtomSinkNode({ name, cookie, epmdPort: Number(epmdPort), log: (line) => logs.push(line) });
  const floodName = `flood_${node.name}`;
  const client = new Promise<void>((resolve) => node.on('nodeup', (peer) => peer !== floodName && resolve()));
  process.stdout.write('ready\n');
  await client;
  const stopWatching = await watchMemoryPeaks();
  const started = Date.now();
  const peer = await connectFloodPeer(node.name, floodName, cookie, Number(epmdPort));
  const sent = await peer.flood('atom_sink', messages, Number(perMessage));
  await awaitAtoms(received, sent * Number(perMessage), 240_000);
  const seconds = (Date.now() - started) / 1000;
  const peaks = stopWatching();
  peer.socket.destroy();
  await peer.closed;
  await reclaimDeadAtoms();
  const figures = {
    received: received(),
    seconds,
    heapBefore: peaks.heapBefore,
    heapPeak: peaks.heapPeak,
    heapAfter: process.memoryUsage().heapUsed,
    heapLimit: v8.getHeapStatistics().heap_size_limit,
    tableBefore: peaks.tableBefore,
    tablePeak: peaks.tablePeak,
    tableAfter: Atom.count,
    floodLogLines: logs.filter((l) => l.includes(peer.name) && !l.includes('peer_closed')),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  // Serve on until the test has stopped its erl caller: a node gone now would fail its last calls.
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await node.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
    process.exit(1);
  },
);
