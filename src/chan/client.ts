/**
 * The lib_chan client: `connect` does the book's handshake and resolves to a {@link Channel}.
 */
import * as tls from 'node:tls';
import { Term, atom, charlist, charlistToString, isCharlist, isRecord, tuple } from '../../codec';
import { formatTerm } from '../../codec/text';
import { Channel } from './channel';
import { AuthFailError, BadServiceError, ChanProtocolError } from './errors';
import { ChanLimitOptions, DEFAULT_HANDSHAKE_TIMEOUT_MS, HANDSHAKE_LIMITS, payloadLimits } from './limits';
import { challengeResponse, isLatin1 } from './auth';
import { dial } from './transport';

/** Options of {@link connect}; all optional. */
export interface ChanConnectOptions extends ChanLimitOptions {
  /** The service's password; `null` (the default) for a service configured with `none`. */
  secret?: string | null;
  /** Sent in `{startService, Service, ArgsC}`; the book's `""` is `[]` (the default). */
  args?: Term;
  /** Abandon connecting: the socket is closed and the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Connect over TLS with these options (e.g. `{ ca }` to trust a self-signed server). */
  tls?: tls.ConnectionOptions;
  /** Where the channel logs protocol errors. Default: nowhere (errors surface as rejections). */
  log?: (line: string) => void;
}

/**
 * Connect to a lib_chan server and start `service` (the book's `lib_chan:connect(Host, Port,
 * Service, Secret, ArgsC)`, with `Secret` and `ArgsC` as `options.secret` and `options.args`).
 *
 * @throws {@link BadServiceError}, {@link AuthFailError}, {@link ChannelClosedError},
 *   {@link ChanTimeoutError}, `signal.reason`, or the socket's error (e.g. ECONNREFUSED).
 */
export async function connect(host: string, port: number, service: string, options: ChanConnectOptions = {}): Promise<Channel> {
  const { secret = null, args = [], signal } = options;
  const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const socket = await dial(host, port, { tls: options.tls, timeout, signal });
  const channel = new Channel(socket, HANDSHAKE_LIMITS, options.log);
  try {
    channel.send(tuple(atom('startService'), atom(service), args));
    let reply = await channel.receive({ timeout, signal });
    if (isRecord(reply, 'challenge', 2) && isCharlist(reply.get(1))) {
      if (secret === null) throw new AuthFailError(service, 'the server demands a password and none was given');
      const challenge = charlistToString(reply.get(1) as number[]);
      // The answer is an MD5 over Latin-1 bytes; a server that sends other characters breaks the protocol.
      if (!isLatin1(challenge)) throw new ChanProtocolError('lib_chan: the server sent a challenge that is not Latin-1');
      const answer = challengeResponse(challenge, secret);
      channel.send(tuple(atom('response'), charlist(answer)));
      reply = await channel.receive({ timeout, signal });
    }
    if (reply === atom('ack')) {
      channel.setLimits(payloadLimits(options));
      return channel;
    }
    if (reply === atom('badService')) throw new BadServiceError(service);
    if (reply === atom('authFail')) throw new AuthFailError(service);
    throw new ChanProtocolError(`lib_chan: unexpected handshake reply ${formatTerm(reply)}`);
  } catch (error) {
    channel.close('handshake failed');
    throw error;
  }
}

/** The atom `none` as a secret, as the book writes it, means no password. */
export function secretFromText(text: string): string | null {
  return text === 'none' ? null : text;
}
