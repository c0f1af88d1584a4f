/**
 * The embedded EPMD seen from another host: erl's EPMD client on host B asks it PORT_PLEASE2
 * and NAMES over the link and gets the answers a real epmd gives. Registering (ALIVE2) is for
 * local nodes only, as with epmd: from host B it is refused.
 */
import { EpmdRegistration, EpmdServer, lookupNode, registerNode } from '../../handshake';
import { describeNetns, NetnsHost, NetnsLink, ROOT } from '../support/netns';
import { describeOtp, Otp, uniqueName } from '../support/otp';
import { freePort } from '../support/otp-node-extra';
import { labPerFile } from './support';

describeNetns('multi-host', () => {
  const lab = labPerFile(3);

  /** Host B linked to this host, where the embedded EPMD runs with one local registration. */
  function embeddedEpmdAcrossTheLink(otp: Otp, label: string) {
    const state = {} as { b: NetnsHost; link: NetnsLink; epmd: EpmdServer; registration: EpmdRegistration; alive: string };
    beforeAll(async () => {
      state.b = lab().addHost(`${label}${otp.release}`);
      state.link = lab().link(ROOT, state.b);
      state.epmd = await EpmdServer.start({ port: await freePort() });
      state.alive = uniqueName('here');
      state.registration = await registerNode(state.alive, 40404, { port: state.epmd.port });
    });
    afterAll(async () => {
      await state.registration?.unregister();
      await state.epmd?.close();
    });
    return state;
  }

  /** `{A,B,C,D}`, an address as erl's inet takes it. */
  const ipTuple = (address: string) => `{${address.split('.').join(',')}}`;

  describeOtp('the embedded EPMD answers another host', (otp) => {
    const state = embeddedEpmdAcrossTheLink(otp, 'b');

    it("PORT_PLEASE2 (a registered name and one not) and NAMES from erl's EPMD client on host B", async () => {
      const here = ipTuple(state.link.aAddress);
      const out = await lab().erlEval(
        state.b,
        otp,
        `io:format("~p~n~p~n~p~n", [erl_epmd:port_please("${state.alive}", ${here}), erl_epmd:port_please("nobody", ${here}), erl_epmd:names(${here})]), halt().`,
        state.epmd.port,
      );
      const [port, none, names] = out.trim().split('\n');
      // erl_epmd:port_please answers {port, Port, Version}; version 6 is what we registered with.
      expect(port).toBe('{port,40404,6}');
      expect(none).toBe('noport');
      expect(names).toBe(`{ok,[{"${state.alive}",40404}]}`);
    });
  });

  // In a block of its own: the refusal of ALIVE2 from non-loopback peers is being reworked on the
  // main line, and this is the cross-host check of it.
  describeOtp('the embedded EPMD refuses ALIVE2 from another host', (otp) => {
    const state = embeddedEpmdAcrossTheLink(otp, 'r');

    it('closes the connection without a reply, and registers nothing', async () => {
      const intruder = uniqueName('intruder');
      // ALIVE2_REQ by hand: 120, port, type 77 (normal node), protocol 0 (tcp), versions 6..6, name, no extra.
      const out = await lab().erlEval(
        state.b,
        otp,
        `{ok, S} = gen_tcp:connect(${ipTuple(state.link.aAddress)}, ${state.epmd.port}, [binary, {active, false}], 5000),
         Name = <<"${intruder}">>,
         Req = <<120, 4242:16, 77, 0, 6:16, 6:16, (byte_size(Name)):16, Name/binary, 0:16>>,
         ok = gen_tcp:send(S, <<(byte_size(Req)):16, Req/binary>>),
         io:format("~p", [gen_tcp:recv(S, 0, 5000)]), halt().`,
        state.epmd.port,
      );
      expect(out).toBe('{error,closed}');
      expect(await lookupNode(intruder, { port: state.epmd.port })).toBeNull();
    });
  });
});
