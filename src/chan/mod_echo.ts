/** `mod_echo`: sends every term straight back. */
import type { ChanService } from './service';

/** The echo service. */
export const modEcho: ChanService = {
  start(channel): void {
    channel.onMessage((message) => channel.send(message));
  },
};
