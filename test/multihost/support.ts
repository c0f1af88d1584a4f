/**
 * Two hosts for a describe block: this one (the root namespace, where the TypeScript nodes run
 * in-process) and host B, a network namespace where erl runs, joined by one veth pair. Each host
 * has its own EPMD on the block's EPMD port: an embedded one served here, erl's own on B. The
 * port is one free here, the same on both hosts, as 4369 is across a real cluster (4369 itself
 * may be taken on this host by a developer's epmd).
 */
import { EpmdServer } from '../../handshake';
import { ErlNode, NodeOptions } from '../../src/node/node';
import { NetnsHost, NetnsLab, NetnsLink, ROOT } from '../support/netns';
import { Otp, uniqueName } from '../support/otp';
import { OtpNode } from '../support/otp-node';
import { freePort } from '../support/otp-node-extra';

export interface TwoHosts {
  readonly lab: NetnsLab;
  readonly b: NetnsHost;
  readonly link: NetnsLink;
  /** This host's address on the link (TS nodes are `name@here`). */
  readonly here: string;
  /** Host B's address on the link (erl nodes are `name@there`). */
  readonly there: string;
  readonly epmdPort: number;
  readonly cookie: string;
  /** erl on host B as `ALIVE@there` (or `ALIVE@HOST` when `alive` has an `@`). */
  erl(alive: string, extraArgs?: string[]): Promise<OtpNode>;
  /** A TS node here as `ALIVE@here`, long names, registered in this host's EPMD. */
  ts(alive: string, extra?: Partial<NodeOptions>): Promise<ErlNode>;
}

/** One lab for a test file, torn down after its tests (and by the 'exit' hook if they never end). */
export function labPerFile(subnet: number): () => NetnsLab {
  let lab: NetnsLab | undefined;
  beforeAll(() => {
    lab = new NetnsLab(subnet);
  });
  afterAll(() => lab?.teardown());
  return () => {
    if (!lab) throw new Error('the lab exists only once beforeAll ran');
    return lab;
  };
}

/** The two hosts of one describe block; nodes it started are stopped after its tests, erl first. */
export function twoHosts(otp: Otp, lab: () => NetnsLab): TwoHosts {
  const cookie = uniqueName('cookie');
  const started: Array<OtpNode | ErlNode> = [];
  const hosts = {} as { lab: NetnsLab; b: NetnsHost; link: NetnsLink; epmdPort: number; epmd: EpmdServer };
  beforeAll(async () => {
    hosts.lab = lab();
    hosts.b = hosts.lab.addHost(`b${otp.release}`);
    hosts.link = hosts.lab.link(ROOT, hosts.b);
    hosts.epmdPort = await freePort();
    hosts.epmd = await EpmdServer.start({ port: hosts.epmdPort });
  });
  afterAll(async () => {
    for (const node of started.reverse()) await node.stop();
    await hosts.epmd?.close();
  });
  return {
    cookie,
    get lab() {
      return hosts.lab;
    },
    get b() {
      return hosts.b;
    },
    get link() {
      return hosts.link;
    },
    get here() {
      return hosts.link.aAddress;
    },
    get there() {
      return hosts.link.bAddress;
    },
    get epmdPort() {
      return hosts.epmdPort;
    },
    erl: async (alive, extraArgs) => {
      const name = alive.includes('@') ? alive : `${alive}@${hosts.link.bAddress}`;
      const node = await hosts.lab.startErl(hosts.b, otp, { name, cookie, epmdPort: hosts.epmdPort, extraArgs });
      started.push(node);
      return node;
    },
    ts: async (alive, extra = {}) => {
      const node = await ErlNode.start({
        name: `${alive}@${hosts.link.aAddress}`,
        longNames: true,
        cookie,
        epmdPort: hosts.epmdPort,
        log: () => undefined,
        ...extra,
      });
      started.push(node);
      return node;
    },
  };
}
