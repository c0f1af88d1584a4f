/**
 * The server side of one connection: `{startService, Name, ArgsC}`, then `badService`, `ack`, or
 * the challenge and `ack`/`authFail`, then the service. Every step has a deadline; any failure
 * closes this connection only.
 */
import { Atom, Term, atom, charlist, isRecord, tuple } from '../../codec';
import { briefTerm } from '../../codec/text';
import { Channel, ChannelLimits } from './channel';
import { ChanServiceConfig } from './config';
import { ChanService } from './service';
import { isResponseCorrect, makeChallenge } from './auth';

/** What a session needs from its server. */
export interface SessionContext {
  /** The configured service named `name` and its implementation, if the server offers it. */
  lookup(name: string): { config: ChanServiceConfig; service: ChanService } | undefined;
  handshakeTimeout: number;
  payloadLimits: ChannelLimits;
  log(this: void, line: string): void;
}

/** Run the handshake and start the service; resolves when the handshake is over either way. */
export async function runSession(channel: Channel, context: SessionContext): Promise<void> {
  const { log } = context;
  let first: Term;
  let response: Term;
  try {
    first = await channel.receive({ timeout: context.handshakeTimeout });
    if (!isRecord(first, 'startService', 3) || !(first.get(1) instanceof Atom)) {
      log(`${channel.peer}: protocol violation: first frame ${briefTerm(first)} is not {startService, Name, ArgsC}; closing`);
      channel.close('protocol violation');
      return;
    }
    const name = (first.get(1) as Atom).name;
    const found = context.lookup(name);
    if (!found) {
      log(`${channel.peer}: no service ${name}; sending badService`);
      channel.send(atom('badService'));
      channel.close('bad service');
      return;
    }
    const { config, service } = found;
    if (config.password !== null) {
      const challenge = makeChallenge();
      channel.send(tuple(atom('challenge'), charlist(challenge)));
      response = await channel.receive({ timeout: context.handshakeTimeout });
      if (!isRecord(response, 'response', 2) || !isResponseCorrect(challenge, config.password, response.get(1))) {
        log(`${channel.peer}: authentication for ${name} failed; sending authFail`);
        channel.send(atom('authFail'));
        channel.close('authentication failed');
        return;
      }
    }
    channel.setLimits(context.payloadLimits);
    channel.send(atom('ack'));
    startService(channel, service, first.get(2), config, log);
  } catch (error) {
    // A timeout or the peer leaving mid-handshake: nothing to keep.
    log(`${channel.peer}: handshake ended: ${(error as Error).message}`);
    channel.close('handshake failed');
  }
}

function startService(channel: Channel, service: ChanService, argsC: Term, config: ChanServiceConfig, log: (line: string) => void): void {
  const failed = (error: unknown) => {
    log(`${channel.peer}: service ${config.name} (${config.module}) failed: ${(error as Error)?.message ?? String(error)}`);
    channel.close('the service failed');
  };
  try {
    const running = service.start(channel, argsC, config.args);
    if (running) running.then(() => channel.close('the service ended'), failed);
  } catch (error) {
    failed(error);
  }
}
