/**
 * What a lib_chan service is: the TypeScript side of the book's `Mod:Fun(MM, ArgsC, ArgS)`.
 */
import { Term } from '../../codec';
import type { Channel } from './channel';

/**
 * A service, registered under the module name that config files name in `mfa, Mod, Fun, Args`.
 *
 * `start` runs once per authenticated connection. It may install handlers
 * ({@link Channel.onMessage}) and return, leaving the channel open; or it may return a promise
 * (e.g. looping over the channel with `for await`), and the channel closes when that promise
 * settles, as the book's socket closes when the service function ends. A throw or rejection is
 * logged and closes the channel.
 */
export interface ChanService {
  start(channel: Channel, argsC: Term, configArgs: Term): void | Promise<void>;
}
