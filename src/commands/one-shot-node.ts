/**
 * The node a one-shot command (`ping`, `call`) runs as: like erl_call's, hidden, not listening,
 * registering nothing and starting no EPMD (`distListen: false`). Its name takes the target's
 * form, long for a long name, as two erl nodes must share one; a `--sname`/`--name` that does not
 * fit the target is explained before anything is sent.
 */
import * as dgram from 'dgram';
import { Atom, parseTerm } from '../../codec';
import { promises as dns } from 'dns';
import * as net from 'net';
import { longHostName, nameModeOf, NameMode, NodeNameError, parseNodeName, shortHostName } from '../../handshake';
import { ErlNode, NodeOptions } from '../node/node';
import { numberOption, UsageError } from './options';

/** The valued options of every one-shot command, for parseArgs. */
export const ONE_SHOT_OPTIONS = ['cookie', 'epmd-port', 'name', 'sname'];

/** erl's spellings of {@link ONE_SHOT_OPTIONS}, for parseArgs. */
export const ONE_SHOT_ERL_SPELLINGS: Readonly<Record<string, string>> = { '-sname': 'sname', '-name': 'name', '-setcookie': 'cookie' };

/** What a one-shot command's own options say about its node. */
export interface OneShotOptions {
  options: Record<string, string | true>;
  /** The node it talks to, `name@host`. */
  peer: string;
  /** The alive part when no name is given: `erlbridge_ping`, to which the pid is added. */
  defaultAlive: string;
}

/**
 * The NODE argument as a node name: `name@host`, or the atom as the erl shell prints it
 * (`'ts@127.0.0.1'`), quotes and all, since that is what users copy from it.
 */
export function nodeArgument(text: string): string {
  if (!/^'.*'$/.test(text)) return text;
  const parsed = parseTerm(text);
  if (parsed instanceof Atom) return parsed.name;
  throw new UsageError(`NODE must be name@host, got ${text}`);
}

/** Start the one-shot node that reaches `peer`. */
export async function startOneShotNode(
  { options, peer, defaultAlive }: OneShotOptions,
  more: Pick<NodeOptions, 'output' | 'transport' | 'tls' | 'setupTimeout'> = {},
): Promise<ErlNode> {
  let target;
  try {
    target = parseNodeName(peer);
  } catch (err) {
    throw new UsageError(`NODE must be name@host, got ${peer}: ${(err as Error).message}`);
  }
  const mode = nameModeOf(target.host);
  const given = ownNameOption(options, mode, peer);
  const name = given ?? `${defaultAlive}_${process.pid}`;
  return ErlNode.start({
    name: name.includes('@') ? name : `${name}@${await ownHost(mode, target.host)}`,
    longNames: mode === 'long',
    cookie: typeof options.cookie === 'string' ? options.cookie : undefined,
    epmdPort: numberOption(options, 'epmd-port'),
    distListen: false,
    log: () => undefined,
    ...more,
  });
}

// `--sname` against a long-named target, or `--name` against a short one, cannot work: say so as
// erl would (an erl node started so refuses to dial the target: "Hostname ... is illegal").
function ownNameOption(options: Record<string, string | true>, mode: NameMode, peer: string): string | undefined {
  if (options.sname !== undefined && options.name !== undefined) throw new UsageError('give --sname or --name, not both');
  if (typeof options.sname === 'string' && mode === 'long') {
    throw new UsageError(
      `${peer} is a long name (-name), and --sname gives this node a short one: erl nodes with short and long names cannot talk ("System NOT running to use fully qualified hostnames"). Use --name N@HOST, or leave the name out`,
    );
  }
  if (typeof options.name === 'string' && mode === 'short') {
    throw new UsageError(
      `${peer} is a short name (-sname), and --name gives this node a long one: erl nodes with short and long names cannot talk ("System running to use fully qualified hostnames"). Use --sname N, or leave the name out`,
    );
  }
  const given = options.sname ?? options.name;
  return typeof given === 'string' ? given : undefined;
}

/**
 * Our host for a name of `mode`: the short host name, or for a long name this machine's fully
 * qualified name, else the address our packets to the target leave from (127.0.0.1 for a target
 * on loopback): a node that does not listen needs a name of the right form, not one others can
 * resolve.
 */
async function ownHost(mode: NameMode, targetHost: string): Promise<string> {
  if (mode === 'short') return shortHostName();
  try {
    return await longHostName();
  } catch (err) {
    if (!(err instanceof NodeNameError)) throw err;
    const ip = net.isIP(targetHost) ? targetHost : (await dns.lookup(targetHost)).address;
    return localAddressToward(ip);
  }
}

/** The local address the kernel routes `ip` from: a UDP socket's connect sends nothing. */
function localAddressToward(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(9, ip, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
