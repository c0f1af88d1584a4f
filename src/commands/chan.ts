/**
 * `erlbridge chan serve|rpc`: the book's lib_chan from the command line.
 */
import * as fs from 'node:fs';
import { Term } from '../../codec';
import { parseTerm } from '../../codec/text';
import { ChanError, connect, readChanConfig, secretFromText, startChanServer } from '../chan';
import { UsageError, parseArgs } from './options';
import { FORMAT_OPTION, FORMAT_USAGE, printTerm, termFormat } from './term-format';

const USAGE = `usage: erlbridge chan serve CONFIG [--host H] [--tls-cert FILE --tls-key FILE]
       erlbridge chan rpc HOST PORT SERVICE SECRET TERM [--timeout MS] [--tls-ca FILE] ${FORMAT_USAGE}`;

async function serve(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['host', 'tls-cert', 'tls-key']);
  if (positional.length !== 1) throw new UsageError('chan serve needs exactly one CONFIG file');
  const cert = options['tls-cert'] as string | undefined;
  const key = options['tls-key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const server = await startChanServer(readChanConfig(positional[0]), {
    host: options.host as string | undefined,
    tls: cert && key ? { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } : undefined,
  });
  const { host, port } = server.address;
  process.stdout.write(`lib_chan listening on ${host}:${port}${cert ? ' (TLS)' : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

async function rpc(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['timeout', 'tls-ca', FORMAT_OPTION]);
  const format = termFormat(options);
  if (positional.length !== 5) throw new UsageError('chan rpc needs HOST PORT SERVICE SECRET TERM');
  const [host, portText, service, secret, text] = positional;
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`bad port: ${portText}`);
  const timeout = Number(options.timeout ?? 10000);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of milliseconds');
  const ca = options['tls-ca'] as string | undefined;
  const query: Term = parseTerm(text);
  const channel = await connect(host, port, service, {
    secret: secretFromText(secret),
    handshakeTimeout: timeout,
    tls: ca ? { ca: fs.readFileSync(ca) } : undefined,
  });
  try {
    const reply = await channel.rpc(query, { timeout });
    process.stdout.write(printTerm(reply, format) + '\n');
    return 0;
  } finally {
    channel.close();
  }
}

/** Run `erlbridge chan ...` with the arguments after `chan`. Resolves to the exit code. */
export async function chanCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'serve') return await serve(rest);
    if (sub === 'rpc') return await rpc(rest);
    throw new UsageError(`unknown subcommand '${sub ?? ''}'`);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}\n${USAGE}`);
    if (!(error instanceof ChanError)) throw error;
    // Already one clear line: badService, authFail, a closed channel, a timeout, a bad config.
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}
