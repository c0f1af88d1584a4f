/**
 * `erlbridge names [--host H] [--epmd-port P]`: the names registered in EPMD, like `epmd -names`.
 * It only asks: no node, nothing registered, and no EPMD started when none answers (an error).
 */
import { listNames } from '../../handshake';
import { connectFailure } from './connect-failure';
import { numberOption, parseArgs, UsageError } from './options';

export async function namesCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, ['host', 'epmd-port']);
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  let reply;
  try {
    reply = await listNames({ host: options.host as string | undefined, port: numberOption(options, 'epmd-port') });
  } catch (err) {
    throw new Error(await connectFailure(err), { cause: err });
  }
  process.stdout.write(`epmd: up and running on port ${reply.epmdPort} with data:\n`);
  for (const n of reply.nodes) process.stdout.write(`name ${n.name} at port ${n.port}\n`);
  return 0;
}
