/**
 * `erlbridge node [--sname N | --name N@HOST] [--cookie C] [--epmd-port P] [--hidden | --visible]`:
 * a node serving kvs and dist_demo. Visible by default, as erl is; `--hidden` (or erl's `-hidden`)
 * makes it hidden, and wins over `--visible`, which stays accepted (it is the default).
 */
import { serveDistDemo } from '../demo/dist-demo';
import { serveKvs } from '../kvs/kvs';
import { ErlNode, NodeInfo } from '../node/node';
import { numberOption, parseArgs, UsageError } from './options';

export async function nodeCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, ['sname', 'name', 'cookie', 'epmd-port'], ['visible', 'hidden'], { '-hidden': 'hidden' });
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  if (options.sname !== undefined && options.name !== undefined) throw new UsageError('give --sname or --name, not both');
  const longNames = typeof options.name === 'string';
  const name = (longNames ? options.name : (options.sname ?? 'ts')) as string;
  const node = await ErlNode.start({
    name,
    longNames,
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: numberOption(options, 'epmd-port'),
    hidden: options.hidden === true,
  });
  serveKvs(node);
  serveDistDemo(node);
  const kind = (info: NodeInfo) => (info.visible ? 'visible' : 'hidden');
  node.on('nodeup', (peer, info) => process.stderr.write(`nodeup ${peer} (${kind(info)})\n`));
  node.on('nodedown', (peer, why, info) => process.stderr.write(`nodedown ${peer} (${why}; ${kind(info)})\n`));
  const listed = node.visible ? 'nodes()' : 'nodes(hidden)';
  process.stdout.write(
    `erlbridge node ${node.name} is up (${node.visible ? 'visible' : 'hidden'}), serving kvs and dist_demo (EPMD on port ${node.epmd.port}). From erl -sname bilbo:\n` +
      `  rpc:call('${node.name}', kvs, store, [weather, fine]).\n` +
      `  rpc:call('${node.name}', kvs, lookup, [weather]).\n` +
      `  ${listed}.   % lists '${node.name}' once connected\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await node.stop();
  return 0;
}
