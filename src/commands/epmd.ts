/** `erlbridge epmd [--port P]`: the embedded EPMD in the foreground, until SIGINT/SIGTERM. */
import { EpmdServer } from '../../handshake';
import { numberOption, parseArgs, UsageError } from './options';

export async function epmdCommand(args: string[]): Promise<number> {
  const { options, positional } = parseArgs(args, ['port']);
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  const server = await EpmdServer.start({ port: numberOption(options, 'port') });
  process.stdout.write(`erlbridge epmd listening on port ${server.port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
