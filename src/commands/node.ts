/**
 * `erlbridge node [--sname N | --name N@HOST] [--cookie C] [--epmd-port P] [--hidden | --visible]
 * [--serve [NAME=]FILE]... [--global NAME] [--pg GROUP] [--connect-all BOOL] [--prevent-overlapping-partitions BOOL]
 * [--net-ticktime S] [--dist-port P | --dist-port-range MIN-MAX] [--dist-listen-address IP] [--atom-limit N]`:
 * a node serving kvs and dist_demo. Visible by default, as erl is; `--hidden` (or erl's `-hidden`)
 * makes it hidden, and wins over `--visible`, which stays accepted (it is the default).
 * `--global` registers the kvs process under a global name, `--pg` joins it to a pg group; the
 * last two are global's options, also in erl's spellings (`-connect_all false`,
 * `-kernel prevent_overlapping_partitions false`). `--net-ticktime S`, `--dist-port P` or
 * `--dist-port-range MIN-MAX` and `--dist-listen-address IP` are erl's net_ticktime,
 * inet_dist_listen_min/max and inet_dist_use_interface, which `-kernel` also sets. TLS
 * distribution: see tls-options.ts. `--serve [NAME=]FILE` (repeatable) serves a JS or TS file's
 * exported functions as module NAME (serve-module.ts). erl's `-sname`, `-name`, `-setcookie`
 * and `-hidden` are accepted too; its other flags are errors that say erlbridge lacks them.
 * `--atom-limit N` caps the live atoms of the process (`setAtomLimit`, as erl's `+t` sizes its table).
 * The greeting shows the erl command line that reaches the node (erl-command-line.ts).
 *
 * SIGTERM or SIGINT stops it in order (`ErlNode.stop`): gone from EPMD and refusing new calls at
 * once, it lets the calls in flight finish for up to `--shutdown-time MS` (erl's `-shutdown_time`;
 * default 5000), then closes its connections (peers see nodedown) and exits 0, as a service
 * that stopped cleanly on request does.
 */
import { atom, setAtomLimit } from '../../codec';
import { serveDistDemo } from '../demo/dist-demo';
import { serveKvs } from '../kvs/kvs';
import { ErlNode, NodeInfo } from '../node/node';
import { atomLimit, distPorts, kernelParameters, listenAddress, shutdownTime, tickTime } from './node-options';
import { booleanOption, numberOption, parseArgs, takeRepeated, UsageError } from './options';
import { loadServedModule, parseServeSpec, ServedModule } from './serve-module';
import { TLS_ERL_SPELLINGS, TLS_OPTIONS, tlsNodeOptions } from './tls-options';
import { erlCommandLine } from './erl-command-line';
import { logOptions } from './log-options';

/** erl's own spellings of the node's options. */
const ERL_SPELLINGS: Readonly<Record<string, string>> = {
  '-sname': 'sname',
  '-name': 'name',
  '-setcookie': 'cookie',
  '-hidden': 'hidden',
  '-connect_all': 'connect-all',
  '-shutdown_time': 'shutdown-time',
  ...TLS_ERL_SPELLINGS,
};

// What the node serves itself: a --serve of these names would take it away.
const OWN_MODULES = ['kvs', 'global'];

export async function nodeCommand(args: string[]): Promise<number> {
  const { values: serveArgs, rest } = takeRepeated(args, '--serve');
  const { options, positional } = parseArgs(
    kernelParameters(rest),
    [
      'sname',
      'name',
      'cookie',
      'epmd-port',
      'global',
      'pg',
      'connect-all',
      'prevent-overlapping-partitions',
      'net-ticktime',
      'dist-port',
      'dist-port-range',
      'dist-listen-address',
      'log-level',
      'log-format',
      'shutdown-time',
      'atom-limit',
      ...TLS_OPTIONS,
    ],
    ['visible', 'hidden'],
    ERL_SPELLINGS,
  );
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  if (options.sname !== undefined && options.name !== undefined) throw new UsageError('give --sname or --name, not both');
  // Every file loads before the node starts: one that does not is an error, and no node.
  const served = await serveModules(serveArgs);
  const longNames = typeof options.name === 'string';
  const name = (longNames ? options.name : (options.sname ?? 'ts')) as string;
  const tls = tlsNodeOptions(options);
  const stopWithin = shutdownTime(options);
  const limit = atomLimit(options);
  if (limit !== undefined) setAtomLimit(limit);
  const node = await ErlNode.start({
    name,
    longNames,
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: numberOption(options, 'epmd-port'),
    hidden: options.hidden === true,
    connectAll: booleanOption(options, 'connect-all'),
    preventOverlappingPartitions: booleanOption(options, 'prevent-overlapping-partitions'),
    tickTime: tickTime(options),
    listenPortRange: distPorts(options),
    listenAddress: listenAddress(options),
    ...logOptions(options),
    ...tls,
  });
  const kvs = serveKvs(node);
  serveDistDemo(node);
  for (const { name, functions } of served) node.modules.registerModule(name, functions);
  const hints: string[] = [];
  if (typeof options.global === 'string') {
    // Nothing is connected yet, so the name is free; a clash at a later merge is resolved as erl resolves it.
    await node.global.registerName(options.global, kvs);
    hints.push(`  global:send(${options.global}, {self(), {lookup, weather}}), flush().`);
  }
  if (typeof options.pg === 'string') {
    node.pg.join(atom(options.pg), kvs);
    hints.push(
      `  [P ! {self(), {lookup, weather}} || P <- pg:get_members(${options.pg})], flush().   % pg runs in erl -kernel start_pg true, or after pg:start(pg)`,
    );
  }
  const kind = (info: NodeInfo) => (info.visible ? 'visible' : 'hidden');
  // Through the node's log, so --log-level can quiet them and --log-format json keeps stderr all JSON.
  node.on('nodeup', (peer, info) => node.logger.notice(`nodeup ${peer} (${kind(info)})`));
  node.on('nodedown', (peer, why, info) => node.logger.notice(`nodedown ${peer} (${why}; ${kind(info)})`));
  const erl = erlCommandLine({
    nodeName: node.name,
    longNames,
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: node.epmd.port,
    sslDistOptfile: tls.tls ? String(options['ssl-dist-optfile']) : undefined,
  });
  const listed = node.visible ? 'nodes()' : 'nodes(hidden)';
  const servedNames = ['kvs', 'dist_demo', ...served.map((m) => m.name)];
  process.stdout.write(
    `erlbridge node ${node.name} is up (${node.visible ? 'visible' : 'hidden'}), serving ${servedNames.join(', ')} (EPMD on port ${node.epmd.port}, distribution on port ${node.distPort}). From erl:\n` +
      `  $ ${erl.command}    # ${erl.cookieNote}\n` +
      `  rpc:call('${node.name}', kvs, store, [weather, fine]).\n` +
      `  rpc:call('${node.name}', kvs, lookup, [weather]).\n` +
      `  ${listed}.   % lists '${node.name}' once connected\n` +
      hints.map((h) => `${h}\n`).join('') +
      served.map((m) => `  % ${m.name}: ${functionList(m)}\n`).join(''),
  );
  // Only the first signal stops the node in order; a second, while calls finish, finds no handler and ends the process at once.
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await node.stop({ shutdownTime: stopWithin });
  return 0;
}

/** Load every `--serve [NAME=]FILE`, in order; two of one name, or one of a name the node serves itself, are errors. */
async function serveModules(specs: string[]): Promise<ServedModule[]> {
  const loaded: ServedModule[] = [];
  for (const text of specs) {
    const spec = parseServeSpec(text);
    if (OWN_MODULES.includes(spec.name))
      throw new UsageError(`--serve ${text}: the node serves ${spec.name} itself; name the module otherwise (NAME=FILE)`);
    if (loaded.some((m) => m.name === spec.name)) throw new UsageError(`--serve ${text}: a module ${spec.name} is served already`);
    loaded.push(await loadServedModule(spec));
  }
  return loaded;
}

/** `f/1, g/2`: a served module's functions as Erlang names them. */
function functionList({ functions }: ServedModule): string {
  return Object.entries(functions)
    .map(([name, fn]) => `${name}/${fn.erlangArity ?? fn.length}`)
    .join(', ');
}
