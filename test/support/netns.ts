/**
 * Hosts of their own for multi-host tests: Linux network namespaces joined by veth pairs, each
 * with private addresses, its own loopback (so its own EPMD on any port) and its own /etc/hosts.
 * The root namespace, where jest runs, can be one end of a link: it is then a host too, and the
 * library's ErlNode runs there in-process.
 *
 * Everything made here is named after this process (`eb<pid>...`), is torn down by
 * {@link NetnsLab.teardown} (processes in the namespaces by pid, the namespaces, the root ends of
 * the veth pairs, /etc/netns entries) and, should a test run end without it, by a process 'exit'
 * hook. No namespace gets a default route: traffic cannot leave the links made here.
 */
import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Otp } from './otp';
import { attachOtpNode, evalLoopArguments, OtpNode } from './otp-node';

/** One host: a network namespace. */
export interface NetnsHost {
  /** The namespace's name (`ip netns exec NAME ...`). */
  readonly ns: string;
  /** Its host name, resolvable in the lab's hosts once {@link NetnsLab.addNames} made it known. */
  readonly hostname: string;
}

/** The root namespace as a link's end: the host jest runs on. */
export const ROOT = 'root';
export type LinkEnd = NetnsHost | typeof ROOT;

/** A veth pair between two hosts, each end with an address of a /30 of its own. */
export interface NetnsLink {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  readonly aAddress: string;
  readonly bAddress: string;
  /** The device names at each end. */
  readonly aDevice: string;
  readonly bDevice: string;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function nsArgs(end: LinkEnd): string[] {
  return end === ROOT ? [] : ['-n', end.ns];
}

/**
 * Why these tests cannot run here (null when they can): they need root and `ip netns`. The
 * answer is found once per test file.
 */
let unavailable: string | null | undefined;
export function netnsUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  if (process.getuid?.() !== 0) unavailable = 'not running as root';
  else {
    try {
      ip(['netns', 'list']);
      unavailable = null;
    } catch (error) {
      unavailable = `\`ip netns\` does not work (${(error as Error).message.split('\n')[0]}); install iproute2`;
    }
  }
  return unavailable;
}

/**
 * `describe(name, body)` when network namespaces can be made, else one loud skip line; with
 * CI=true a missing `ip` or a non-root run is a failure.
 */
export function describeNetns(name: string, body: () => void): void {
  const why = netnsUnavailable();
  if (why === null) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs network namespaces (CI=true)', () => {
        throw new Error(`multi-host tests need root and iproute2: ${why} (CI=true makes this a failure)`);
      });
    });
    return;
  }
  process.stderr.write(`!!! erlbridge: ${why}; multi-host tests "${name}" SKIPPED\n`);
  describe.skip(name, () => it('needs network namespaces', () => undefined));
}

const labs = new Set<NetnsLab>();
process.on('exit', () => {
  for (const lab of labs) lab.teardown();
});

/**
 * The hosts and links of one test file. `subnet` (1..15) keeps the files' addresses apart:
 * links get /30s of 10.(200+subnet).N.0/24, N taken from the pid and moved on while the root
 * namespace already uses it, so concurrent runs on one machine do not clash either.
 */
export class NetnsLab {
  readonly id: string;
  private readonly hosts: NetnsHost[] = [];
  private readonly links: NetnsLink[] = [];
  /** Host name -> address, for every hosts file of the lab. */
  private readonly names = new Map<string, string>();
  private readonly prefix: string;

  constructor(subnet: number) {
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 15) throw new RangeError('subnet must be 1..15');
    this.id = `eb${process.pid}`;
    const used = ip(['-4', '-o', 'addr', 'show']);
    let third = process.pid % 250;
    while (used.includes(` 10.${200 + subnet}.${third}.`)) third = (third + 1) % 250;
    this.prefix = `10.${200 + subnet}.${third}`;
    labs.add(this);
  }

  /** A new namespace with `lo` up, known as `LABEL.<lab id>.test`. */
  addHost(label: string): NetnsHost {
    const host = { ns: `${this.id}${label}`, hostname: `${label}.${this.id}.test` };
    ip(['netns', 'add', host.ns]);
    this.hosts.push(host);
    ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
    return host;
  }

  /** A veth pair between `a` and `b`, both ends up, with addresses of the next free /30. */
  link(a: LinkEnd, b: LinkEnd): NetnsLink {
    const index = this.links.length;
    if (index >= 63) throw new RangeError('a lab has at most 63 links');
    const aDevice = `${this.id}l${index}a`;
    const bDevice = `${this.id}l${index}b`;
    ip([
      'link',
      'add',
      aDevice,
      ...(a === ROOT ? [] : ['netns', a.ns]),
      'type',
      'veth',
      'peer',
      'name',
      bDevice,
      ...(b === ROOT ? [] : ['netns', b.ns]),
    ]);
    const link = { a, b, aDevice, bDevice, aAddress: `${this.prefix}.${index * 4 + 1}`, bAddress: `${this.prefix}.${index * 4 + 2}` };
    this.links.push(link);
    for (const [end, device, address] of [
      [a, aDevice, link.aAddress],
      [b, bDevice, link.bAddress],
    ] as const) {
      ip([...nsArgs(end), 'addr', 'add', `${address}/30`, 'dev', device]);
      ip([...nsArgs(end), 'link', 'set', device, 'up']);
    }
    return link;
  }

  /** Take `link` down at `end` (the other end loses its carrier too): the cable is cut. */
  cut(link: NetnsLink, end: LinkEnd = link.b): void {
    ip([...nsArgs(end), 'link', 'set', end === link.a ? link.aDevice : link.bDevice, 'down']);
  }

  /** Bring both ends of `link` up again. A link brought up again keeps its addresses, not its routes' state. */
  heal(link: NetnsLink): void {
    ip([...nsArgs(link.a), 'link', 'set', link.aDevice, 'up']);
    ip([...nsArgs(link.b), 'link', 'set', link.bDevice, 'up']);
  }

  /**
   * Make `names` (host name -> address) known to every host of the lab, beside those made known
   * before: each gets /etc/netns/NS/hosts, which `ip netns exec` mounts over /etc/hosts.
   */
  addNames(names: Record<string, string>): void {
    for (const [name, address] of Object.entries(names)) this.names.set(name, address);
    const text = ['127.0.0.1\tlocalhost', ...[...this.names].map(([name, address]) => `${address}\t${name}`)].join('\n') + '\n';
    for (const host of this.hosts) {
      fs.mkdirSync(this.hostsDir(host), { recursive: true });
      fs.writeFileSync(path.join(this.hostsDir(host), 'hosts'), text);
    }
  }

  /**
   * Run `cmd args` in `host`. For an OTP in a chroot the chroot's own /etc/hosts would hide the
   * host's, so the host's file is bind-mounted over it first, in the mount namespace `ip netns
   * exec` makes (private to the command: the chroot's file stays as it was for everyone else).
   */
  spawn(host: NetnsHost, otp: Otp | null, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const stdio: SpawnOptions['stdio'] = ['pipe', 'pipe', 'pipe'];
    if (otp === null || otp.root === null) return spawn('ip', ['netns', 'exec', host.ns, cmd, ...args], { stdio, ...options });
    const hostsFile = path.join(this.hostsDir(host), 'hosts');
    const script = 'if [ -f "$1" ]; then mount --bind "$1" "$2/etc/hosts" || exit 1; fi; root=$2; shift 2; exec chroot "$root" "$@"';
    return spawn('ip', ['netns', 'exec', host.ns, 'sh', '-c', script, 'sh', hostsFile, otp.root, cmd, ...args], { stdio, ...options });
  }

  /**
   * Start erl in `host` with a long name, its own EPMD (started by erl, on `epmdPort` of the
   * host's loopback and addresses) and the eval loop of {@link OtpNode}.
   */
  startErl(host: NetnsHost, otp: Otp, options: { name: string; cookie: string; epmdPort: number; extraArgs?: string[] }): Promise<OtpNode> {
    const args = ['-noshell', '-name', options.name, '-setcookie', options.cookie, ...(options.extraArgs ?? []), ...evalLoopArguments()];
    const child = this.spawn(host, otp, 'erl', args, {
      cwd: os.tmpdir(),
      env: { ...process.env, ERL_EPMD_PORT: String(options.epmdPort) },
    });
    return attachOtpNode(child);
  }

  /**
   * Run `erl -noshell -eval CODE` (not distributed; CODE must call halt()) in `host` and resolve
   * with its stdout; rejects on a non-zero exit, or after `timeoutMs` (the erl is then killed).
   * `epmdPort` is where erl's EPMD client looks, on whichever host it asks.
   */
  erlEval(host: NetnsHost, otp: Otp, code: string, epmdPort: number, timeoutMs = 20000): Promise<string> {
    const env = { ...process.env, ERL_EPMD_PORT: String(epmdPort) };
    const child = this.spawn(host, otp, 'erl', ['-noshell', '-start_epmd', 'false', '-eval', code], { cwd: os.tmpdir(), env });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`erl in ${host.ns} ended with ${signal ?? code}: ${out}`));
      });
    });
  }

  /** Pids of every process in `host` now. */
  pids(host: NetnsHost): number[] {
    try {
      return ip(['netns', 'pids', host.ns])
        .split('\n')
        .filter((l) => /^\d+$/.test(l))
        .map(Number);
    } catch {
      return [];
    }
  }

  /**
   * Remove everything: SIGKILL each process still in a namespace (erl, the EPMD it started, CLI
   * nodes and their EPMD daemons: all started by this lab's tests), then the namespaces (which
   * takes their veth ends, and so the root ends, with them), any root end left, and the hosts
   * files. Synchronous, so that the 'exit' hook can run it; safe to call twice.
   */
  teardown(): void {
    for (const host of this.hosts) {
      for (const pid of this.pids(host)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      tryIp(['netns', 'del', host.ns]);
      fs.rmSync(this.hostsDir(host), { recursive: true, force: true });
    }
    for (const link of this.links) {
      if (link.a === ROOT) tryIp(['link', 'del', link.aDevice]);
      if (link.b === ROOT) tryIp(['link', 'del', link.bDevice]);
    }
    this.hosts.length = 0;
    this.links.length = 0;
    labs.delete(this);
  }

  private hostsDir(host: NetnsHost): string {
    return path.join('/etc/netns', host.ns);
  }
}

function tryIp(args: string[]): void {
  try {
    ip(args);
  } catch {
    // Gone with its namespace already.
  }
}
