/**
 * `erlbridge ping NODE [--cookie C] [--epmd-port P] [--sname N | --name N]` (and the TLS options
 * of tls-options.ts): `pong` (exit 0), or
 * `pang` (exit 1) with the reason on stderr. Like erl_call, it pings from a node that is hidden,
 * does not listen, registers nothing in EPMD and starts no EPMD (`distListen: false`).
 */
import { connectFailure } from './connect-failure';
import { nodeArgument, ONE_SHOT_ERL_SPELLINGS, ONE_SHOT_OPTIONS, startOneShotNode } from './one-shot-node';
import { numberOption, parseArgs, UsageError } from './options';
import { TLS_ERL_SPELLINGS, TLS_OPTIONS, TLS_USAGE, tlsNodeOptions } from './tls-options';

/** net_adm:ping's time limit, for connecting and asking together. */
const PING_TIMEOUT_MS = 10_000;

export async function pingCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, [...ONE_SHOT_OPTIONS, ...TLS_OPTIONS], [], {
    ...ONE_SHOT_ERL_SPELLINGS,
    ...TLS_ERL_SPELLINGS,
  });
  if (positional.length !== 1)
    throw new UsageError(`usage: erlbridge ping NODE [--cookie C] [--epmd-port P] [--sname N | --name N] ${TLS_USAGE}`);
  const peer = nodeArgument(positional[0]);
  const node = await startOneShotNode({ options, peer, defaultAlive: 'erlbridge_ping' }, tlsNodeOptions(options));
  try {
    // Connecting first gives the reason for a pang; the ping then uses this connection.
    const started = Date.now();
    let why: string | undefined;
    try {
      await node.connect(peer, { timeout: PING_TIMEOUT_MS });
    } catch (err) {
      why = `cannot reach ${peer}: ${await connectFailure(err, peer, numberOption(options, 'epmd-port'))}`;
    }
    const answer = why === undefined ? await node.ping(peer, { timeout: Math.max(1, PING_TIMEOUT_MS - (Date.now() - started)) }) : 'pang';
    process.stdout.write(`${answer}\n`);
    if (answer === 'pong') return 0;
    process.stderr.write(`erlbridge ping: ${why ?? `${peer} did not answer net_kernel's is_auth with yes`}\n`);
    return 1;
  } finally {
    await node.stop();
  }
}
