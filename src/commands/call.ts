/**
 * `erlbridge call NODE MOD FUN ARGS [--cookie C] [--epmd-port P] [--timeout MS]` (and the TLS
 * options of tls-options.ts): `rpc:call` from
 * a short-lived node that, like erl_call's, is hidden, does not listen, registers nothing in EPMD
 * and starts no EPMD (`distListen: false`). ARGS is an Erlang list in text (`'[weather]'`); the result prints in
 * Erlang text, `{badrpc, ...}` included (exit 0). A node that cannot be reached is an error (exit 1).
 */
import { Atom, parseTerm, TextParseError } from '../../codec';
import { ErlClient } from '../rpc/client';
import { numberOption, parseArgs, UsageError } from './options';
import { connectFailure } from './connect-failure';
import { nodeArgument, ONE_SHOT_ERL_SPELLINGS, ONE_SHOT_OPTIONS, startOneShotNode } from './one-shot-node';
import { FORMAT_OPTION, FORMAT_USAGE, printTerm, termFormat } from './term-format';
import { TLS_ERL_SPELLINGS, TLS_OPTIONS, TLS_USAGE, tlsNodeOptions } from './tls-options';

const USAGE = `usage: erlbridge call NODE MOD FUN ARGS [--cookie C] [--epmd-port P] [--timeout MS] ${FORMAT_USAGE} ${TLS_USAGE}`;

function atomText(text: string, what: string): string {
  // An atom as erl would read it: a bare atom, or quoted.
  let parsed;
  try {
    parsed = parseTerm(text);
  } catch {
    parsed = undefined;
  }
  if (parsed instanceof Atom) return parsed.name;
  if (typeof parsed === 'boolean') return String(parsed);
  if (text.length > 0 && !/[\s'"]/.test(text)) return text;
  throw new UsageError(`${what} must be an atom, got ${text}`);
}

export async function callCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, [...ONE_SHOT_OPTIONS, 'timeout', FORMAT_OPTION, ...TLS_OPTIONS], [], {
    ...ONE_SHOT_ERL_SPELLINGS,
    ...TLS_ERL_SPELLINGS,
  });
  if (positional.length !== 4) throw new UsageError(USAGE);
  const format = termFormat(options);
  const [peerText, modText, funText, argsText] = positional;
  const peer = nodeArgument(peerText);
  const module = atomText(modText, 'MOD');
  const fn = atomText(funText, 'FUN');
  let callArgs;
  try {
    callArgs = parseTerm(argsText);
  } catch (err) {
    throw new UsageError(`ARGS is not an Erlang term: ${err instanceof TextParseError ? err.message : String(err)}`);
  }
  if (!Array.isArray(callArgs)) throw new UsageError(`ARGS must be an Erlang list, e.g. '[weather]', got ${argsText}`);
  let timeout: number | undefined;
  if (options.timeout !== undefined) {
    timeout = Number(options.timeout);
    if (typeof options.timeout !== 'string' || !Number.isInteger(timeout) || timeout < 0)
      throw new UsageError('--timeout must be a number of milliseconds');
  }
  // What the call prints goes to stderr, so stdout is the result alone.
  const node = await startOneShotNode(
    { options, peer, defaultAlive: 'erlbridge_call' },
    // --timeout bounds each step of connecting too, and so how long a failed attempt lingers.
    { output: (text) => process.stderr.write(text), setupTimeout: timeout, ...tlsNodeOptions(options) },
  );
  try {
    try {
      await node.connect(peer);
    } catch (err) {
      throw new Error(`cannot reach ${peer}: ${await connectFailure(err, peer, numberOption(options, 'epmd-port'))}`, { cause: err });
    }
    const result = await new ErlClient(node).rpcCall(peer, module, fn, callArgs, { timeout });
    process.stdout.write(`${printTerm(result, format)}\n`);
    return 0;
  } finally {
    await node.stop();
  }
}
