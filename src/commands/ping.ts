/** `erlbridge ping NODE [--cookie C] [--epmd-port P]`: `pong` (exit 0) or `pang` (exit 1). */
import { ErlNode } from '../node/node';
import { numberOption, parseArgs, UsageError } from './options';

export async function pingCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, ['cookie', 'epmd-port', 'name', 'sname']);
  if (positional.length !== 1) throw new UsageError('usage: erlbridge ping NODE');
  const peer = positional[0];
  const longNames = peer.split('@')[1]?.includes('.') ?? false;
  const node = await ErlNode.start({
    name: (options.name ?? options.sname ?? `erlbridge_ping_${process.pid}`) as string,
    longNames,
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: numberOption(options, 'epmd-port'),
    log: () => undefined,
  });
  try {
    const answer = await node.ping(peer);
    process.stdout.write(`${answer}\n`);
    return answer === 'pong' ? 0 : 1;
  } finally {
    await node.stop();
  }
}
