/**
 * Helpers for global's conformance tests: run an expression in erl with a bound on how long it
 * may take, in a process of its own, so that a protocol bug that would make global block for
 * ever fails the test instead (and leaves the node's eval loop free).
 */
import { EpmdServer } from '../../handshake';
import { ErlNode, NodeOptions } from '../../src/node/node';
import { Otp, uniqueName } from '../support/otp';
import { OtpNode } from '../support/otp-node';
import { startOtpNodeWith } from '../support/otp-node-extra';

/** `Expr`'s value printed with ~w, or `timeout` after `ms`. */
export function within(erl: OtpNode, expr: string, ms = 10000): Promise<string> {
  return erl.eval(
    `begin S__ = self(), R__ = make_ref(), spawn(fun() -> S__ ! {R__, (${expr})} end), receive {R__, V__} -> V__ after ${ms} -> timeout end end`,
    ms + 5000,
  );
}

/**
 * The nodes of one describe block: erl and TypeScript nodes with one cookie, registered in an
 * EPMD of the block's own, all stopped (last started first) after its tests.
 */
export function testCluster(otp: Otp): {
  cookie: string;
  erl: (sname: string, extraArgs?: string[]) => Promise<OtpNode>;
  ts: (name: string, extra?: Partial<NodeOptions>) => Promise<ErlNode>;
} {
  let epmd: EpmdServer;
  const cookie = uniqueName('cookie');
  const started: Array<OtpNode | ErlNode> = [];
  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
  });
  afterAll(async () => {
    for (const n of started.reverse()) await n.stop();
    await epmd?.close();
  });
  return {
    cookie,
    erl: async (sname, extraArgs) => {
      const node = await startOtpNodeWith(otp, { sname, cookie, epmdPort: epmd.port, extraArgs });
      started.push(node);
      return node;
    },
    ts: async (name, extra = {}) => {
      const node = await ErlNode.start({ name, cookie, epmdPort: epmd.port, log: () => undefined, ...extra });
      started.push(node);
      return node;
    },
  };
}
