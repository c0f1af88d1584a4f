/**
 * More ways to start and watch nodes in conformance tests, beside test/support/otp-node.ts:
 * extra erl arguments (e.g. `-kernel net_ticktime 4`), a free TCP port, a record of a TS node's
 * nodeup/nodedown events, and erl's own view of its connections through `monitor_nodes`.
 */
import * as net from 'net';
import type { ErlNode as TsNode } from '../../src/node/node';
import { OtpNode, OtpNodeOptions, startOtpNode } from './otp-node';
import { Otp } from './otp';

export interface OtpNodeExtraOptions extends OtpNodeOptions {
  /**
   * More arguments for erl, e.g. `['-kernel', 'net_ticktime', '4']`. They go through `ERL_FLAGS`
   * (erl adds its words to the command line), so no argument may contain a space.
   */
  extraArgs?: string[];
}

/** {@link startOtpNode} with extra erl arguments. */
export function startOtpNodeWith(otp: Otp, options: OtpNodeExtraOptions, startTimeoutMs?: number): Promise<OtpNode> {
  const { extraArgs, ...base } = options;
  if (!extraArgs || extraArgs.length === 0) return startOtpNode(otp, base, startTimeoutMs);
  if (extraArgs.some((a) => /\s/.test(a))) throw new Error(`erl arguments with spaces cannot go through ERL_FLAGS: ${extraArgs.join(' ')}`);
  const saved = process.env.ERL_FLAGS;
  process.env.ERL_FLAGS = [saved, ...extraArgs].filter((a) => a !== undefined && a !== '').join(' ');
  try {
    // startOtpNode copies process.env into the child's environment before its first await.
    return startOtpNode(otp, base, startTimeoutMs);
  } finally {
    if (saved === undefined) delete process.env.ERL_FLAGS;
    else process.env.ERL_FLAGS = saved;
  }
}

/** A TCP port nothing listens on right now (the kernel's pick, released again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export interface NodeEvent {
  kind: 'nodeup' | 'nodedown';
  peer: string;
  reason?: string;
  at: number;
}

/** Records a TS node's nodeup/nodedown events from now on. */
export class NodeEvents {
  readonly events: NodeEvent[] = [];
  private readonly onUp = (peer: string) => this.push({ kind: 'nodeup', peer, at: Date.now() });
  private readonly onDown = (peer: string, reason: string) => this.push({ kind: 'nodedown', peer, reason, at: Date.now() });
  private readonly waiters: Array<{ match: (e: NodeEvent) => boolean; resolve: (e: NodeEvent) => void }> = [];

  constructor(private readonly node: TsNode) {
    node.on('nodeup', this.onUp);
    node.on('nodedown', this.onDown);
  }

  /** The events about `peer` (all of them, or of one kind). */
  about(peer: string, kind?: NodeEvent['kind']): NodeEvent[] {
    return this.events.filter((e) => e.peer === peer && (kind === undefined || e.kind === kind));
  }

  /** The next event of `kind` about `peer` (from now on), or a rejection after `timeoutMs`. */
  next(kind: NodeEvent['kind'], peer: string, timeoutMs = 15000): Promise<NodeEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${kind} for ${peer} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match: (e: NodeEvent) => e.kind === kind && e.peer === peer,
        resolve: (e: NodeEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  clear(): void {
    this.events.length = 0;
  }

  dispose(): void {
    this.node.off('nodeup', this.onUp);
    this.node.off('nodedown', this.onDown);
  }

  private push(e: NodeEvent): void {
    this.events.push(e);
    for (const w of this.waiters.filter((x) => x.match(e))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  }
}

/**
 * erl's own view of its connections: `net_kernel:monitor_nodes(true, [{node_type, all}])` in the
 * process that evaluates the test's expressions, so nodeup/nodedown messages (hidden nodes too)
 * wait in its mailbox until {@link OtpNodeWatch.take} counts them.
 */
export class OtpNodeWatch {
  private constructor(private readonly erl: OtpNode) {}

  static async start(erl: OtpNode): Promise<OtpNodeWatch> {
    const ok = await erl.eval(`net_kernel:monitor_nodes(true, [{node_type, all}])`);
    if (ok !== 'ok') throw new Error(`monitor_nodes answered ${ok}`);
    return new OtpNodeWatch(erl);
  }

  /** Removes the nodeup/nodedown messages about `peer` that arrived so far; returns how many of each. */
  async take(peer: string): Promise<{ up: number; down: number }> {
    const counted = await this.erl.eval(
      `(fun Count(U, D) -> receive {nodeup, '${peer}', _} -> Count(U + 1, D); {nodedown, '${peer}', _} -> Count(U, D + 1) after 0 -> {U, D} end end)(0, 0)`,
    );
    const m = /^\{(\d+),(\d+)\}$/.exec(counted);
    if (!m) throw new Error(`unexpected count from erl: ${counted}`);
    return { up: Number(m[1]), down: Number(m[2]) };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
