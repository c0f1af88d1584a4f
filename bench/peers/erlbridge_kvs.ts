/**
 * The kvs of `npm run bench -- peers` as an erlbridge node in a process of its own, so that its CPU
 * time is read from /proc like the other servers': `ErlNode.start` and `serveKvs` (the registered
 * process `kvs` is what the erl client's messages reach).
 *
 *   node erlbridge_kvs.js NAME COOKIE EPMD_PORT
 *
 * Prints "READY name@host"; stops when stdin closes.
 */
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';

async function main(): Promise<void> {
  const [name, cookie, epmdPort] = process.argv.slice(2);
  const node = await ErlNode.start({ name, cookie, epmdPort: Number(epmdPort), hidden: true, log: () => undefined });
  serveKvs(node);
  process.stdin.resume();
  process.stdin.on('end', () => void node.stop().then(() => process.exit(0)));
  process.stdout.write(`READY ${node.name}\n`);
}

main().catch((error) => {
  process.stderr.write(`erlbridge kvs: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
