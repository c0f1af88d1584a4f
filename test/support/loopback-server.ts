/**
 * A TCP server on 127.0.0.1 for each test of a file, for tests that need the far end of a real
 * socket: every socket it accepts is kept (in order) and destroyed after the test.
 */
import * as net from 'net';

export interface LoopbackServer {
  /** The port of this test's server. */
  readonly port: number;
  /** The sockets this test's server accepted, in order. */
  readonly accepted: net.Socket[];
}

/**
 * Start a server before each test and close it after. `onAccept` runs on each accepted socket
 * (errors on accepted sockets are ignored: the tests judge the other end).
 */
export function useLoopbackServer(options: net.ServerOpts = {}, onAccept: (socket: net.Socket) => void = () => undefined): LoopbackServer {
  let server: net.Server;
  const accepted: net.Socket[] = [];
  beforeEach(async () => {
    accepted.length = 0;
    server = net.createServer(options, (s) => {
      accepted.push(s);
      s.on('error', () => undefined);
      onAccept(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    get port() {
      return (server.address() as net.AddressInfo).port;
    },
    accepted,
  };
}
