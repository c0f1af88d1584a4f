/** `erlbridge node [--sname N | --name N@HOST] [--cookie C] [--epmd-port P] [--visible]`: a node serving kvs and dist_demo. */
import { serveDistDemo } from '../demo/dist-demo';
import { serveKvs } from '../kvs/kvs';
import { ErlNode } from '../node/node';
import { numberOption, parseArgs, UsageError } from './options';

export async function nodeCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, ['sname', 'name', 'cookie', 'epmd-port'], ['visible']);
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  if (options.sname !== undefined && options.name !== undefined) throw new UsageError('give --sname or --name, not both');
  const longNames = typeof options.name === 'string';
  const name = (longNames ? options.name : (options.sname ?? 'ts')) as string;
  const node = await ErlNode.start({
    name,
    longNames,
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: numberOption(options, 'epmd-port'),
    visible: options.visible === true,
  });
  serveKvs(node);
  serveDistDemo(node);
  node.on('nodeup', (peer: string) => process.stderr.write(`nodeup ${peer}\n`));
  node.on('nodedown', (peer: string, why: string) => process.stderr.write(`nodedown ${peer} (${why})\n`));
  process.stdout.write(
    `erlbridge node ${node.name} is up, serving kvs and dist_demo (EPMD on port ${node.epmd.port}). From erl -sname bilbo:\n` +
      `  rpc:call('${node.name}', kvs, store, [weather, fine]).\n` +
      `  rpc:call('${node.name}', kvs, lookup, [weather]).\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await node.stop();
  return 0;
}
