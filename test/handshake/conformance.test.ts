/**
 * The handshake against real erl, both ways: our initiator dials erl, erl dials our acceptor.
 * Each erl node registers with our embedded EPMD on a random port, so nothing leaks into the
 * host's EPMD.
 */
import * as net from 'net';
import {
  acceptHandshake,
  advertisedFlags,
  BadCookieError,
  connectToNode,
  Cookie,
  CookieJar,
  DEFAULT_DIST_FLAGS,
  DistFlag,
  EpmdRegistration,
  EpmdServer,
  flagNames,
  HandshakeRefusedError,
  HandshakeResult,
  registerNode,
  shortHostName,
} from '../../handshake';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { describeOtp, uniqueName } from '../support/otp';

/** Keep a handed-over socket open and read (and drop) whatever erl sends: ticks, rex, global. */
function drain(result: HandshakeResult): net.Socket {
  result.socket.on('error', () => undefined);
  result.socket.on('data', () => undefined);
  result.socket.resume();
  return result.socket;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describeOtp('handshake with erl', (otp) => {
  const erlCookie = uniqueName('cookie');
  const host = shortHostName();
  let epmd: EpmdServer;
  let erl: OtpNode;
  const sockets: net.Socket[] = [];

  const ourName = (): string => `${uniqueName('ts')}@${host}`;
  const isConnected = async (name: string, which: 'hidden' | 'visible'): Promise<boolean> =>
    (await erl.eval(`lists:member('${name}', nodes(${which}))`)) === 'true';

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie: erlCookie, epmdPort: epmd.port });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  describe('we dial erl', () => {
    const dial = (name: string, options: Partial<Parameters<typeof connectToNode>[1]> = {}) =>
      connectToNode(erl.name, {
        ourName: name,
        cookie: Cookie.fromString(erlCookie),
        creation: 0x1234,
        epmdPort: epmd.port,
        ...options,
      });

    it('connects hidden by default: erl lists us in nodes(hidden), and forgets us when we close', async () => {
      const name = ourName();
      const result = await dial(name);
      sockets.push(drain(result));
      expect(result.peerName).toBe(erl.name);
      expect(result.peerFlags & DistFlag.PUBLISHED).toBe(DistFlag.PUBLISHED);
      // Every flag erl sends is one we can name (OTP 29 added NATIVE_RECORDS, bit 38).
      expect(flagNames(result.peerFlags).filter((name) => name.startsWith('UNKNOWN'))).toEqual([]);
      expect(result.negotiatedFlags & DistFlag.PUBLISHED).toBe(0n);
      expect(result.negotiatedFlags & DEFAULT_DIST_FLAGS).toBe(DEFAULT_DIST_FLAGS);
      expect(result.peerCreation).toBe(Number(await erl.eval('erlang:system_info(creation)')));
      // erl marks the node up just after it sends the ack, so give it a moment.
      expect(await eventually(() => isConnected(name, 'hidden'))).toBe(true);
      expect(await isConnected(name, 'visible')).toBe(false);

      result.socket.destroy();
      expect(await eventually(async () => !(await isConnected(name, 'hidden')))).toBe(true);
    });

    it('connects visible with PUBLISHED: erl lists us in nodes(), not nodes(hidden)', async () => {
      const name = ourName();
      const result = await dial(name, { flags: advertisedFlags({ visible: true }) });
      sockets.push(drain(result));
      expect(result.negotiatedFlags & DistFlag.PUBLISHED).toBe(DistFlag.PUBLISHED);
      expect(await eventually(() => isConnected(name, 'visible'))).toBe(true);
      expect(await isConnected(name, 'hidden')).toBe(false);
    });

    it('fails with a bad-cookie error when our cookie is wrong, and erl does not list us', async () => {
      const name = ourName();
      await expect(dial(name, { cookie: Cookie.fromString('wrong') })).rejects.toBeInstanceOf(BadCookieError);
      expect(await isConnected(name, 'hidden')).toBe(false);
    });

    it('uses the per-node cookie from a CookieJar', async () => {
      const jar = new CookieJar(Cookie.fromString('wrong-default'));
      jar.set(erl.name, Cookie.fromString(erlCookie));
      const name = ourName();
      const result = await dial(name, { cookie: jar });
      sockets.push(drain(result));
      expect(result.peerName).toBe(erl.name);
      expect(await eventually(() => isConnected(name, 'hidden'))).toBe(true);
    });

    it('is refused by OTP 26+ (not by OTP 25) when we do not offer V4_NC and UNLINK_ID', async () => {
      const flags = DEFAULT_DIST_FLAGS & ~(DistFlag.V4_NC | DistFlag.UNLINK_ID);
      const name = ourName();
      const attempt = dial(name, { flags });
      if (Number(otp.release) >= 26) {
        await expect(attempt).rejects.toMatchObject({ code: 'refused', status: 'not_allowed' });
        await expect(attempt).rejects.toThrow(/UNLINK_ID, V4_NC/);
      } else {
        const result = await attempt;
        sockets.push(drain(result));
        expect(result.negotiatedFlags & DistFlag.V4_NC).toBe(0n);
        expect(await eventually(() => isConnected(name, 'hidden'))).toBe(true);
      }
    });

    it('answers alive: false keeps the old connection, true replaces it', async () => {
      const name = ourName();
      const first = await dial(name);
      sockets.push(drain(first));
      expect(await eventually(() => isConnected(name, 'hidden'))).toBe(true);

      const refused = dial(name, { onAlive: () => false });
      await expect(refused).rejects.toBeInstanceOf(HandshakeRefusedError);
      await expect(refused).rejects.toMatchObject({ status: 'alive' });
      expect(first.socket.destroyed).toBe(false);
      expect(await isConnected(name, 'hidden')).toBe(true);

      // A restarted node: its old connection is dead, and it says so.
      const second = await dial(name, {
        onAlive: () => {
          first.socket.destroy();
          return true;
        },
      });
      sockets.push(drain(second));
      expect(await eventually(() => isConnected(name, 'hidden'))).toBe(true);
      expect(second.socket.destroyed).toBe(false);
    });
  });

  describe('erl dials us', () => {
    let listener: net.Server;
    let registration: EpmdRegistration;
    let name: string;
    let acceptorCookie: Cookie;
    let outcomes: Promise<HandshakeResult>[];

    beforeAll(async () => {
      listener = net.createServer((socket) => {
        const outcome = acceptHandshake(socket, { ourName: name, cookie: acceptorCookie, creation: registration.creation });
        outcome.then(
          (result) => sockets.push(drain(result)),
          () => undefined,
        );
        outcomes.push(outcome);
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    });

    beforeEach(async () => {
      name = ourName();
      outcomes = [];
      acceptorCookie = Cookie.fromString(erlCookie);
      registration = await registerNode(name.split('@')[0], (listener.address() as net.AddressInfo).port, { port: epmd.port });
    });

    afterEach(async () => {
      await registration.unregister();
    });

    afterAll(async () => {
      await new Promise((resolve) => listener.close(resolve));
    });

    it('accepts: net_kernel:connect_node returns true and erl lists us as hidden', async () => {
      expect(await erl.eval(`net_kernel:connect_node('${name}')`)).toBe('true');
      expect(outcomes).toHaveLength(1);
      const result = await outcomes[0];
      expect(result.peerName).toBe(erl.name);
      expect(result.negotiatedFlags & DistFlag.PUBLISHED).toBe(0n);
      expect(await isConnected(name, 'hidden')).toBe(true);
    });

    it('refuses a wrong cookie (connect_node false, bad-cookie error), then accepts the right one', async () => {
      acceptorCookie = Cookie.fromString(uniqueName('other'));
      expect(await erl.eval(`net_kernel:connect_node('${name}')`)).toBe('false');
      expect(outcomes).toHaveLength(1);
      await expect(outcomes[0]).rejects.toBeInstanceOf(BadCookieError);

      expect(await erl.eval(`erlang:set_cookie('${name}', '${acceptorCookie.reveal().toString('latin1')}')`)).toBe('true');
      expect(await erl.eval(`net_kernel:connect_node('${name}')`)).toBe('true');
      expect(outcomes).toHaveLength(2);
      expect((await outcomes[1]).peerName).toBe(erl.name);
    });
  });
});
