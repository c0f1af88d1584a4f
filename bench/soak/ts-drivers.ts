/**
 * The TS -> erl half of the soak, for one incarnation of one erl peer: loops that call it (erpc,
 * gen_server:call, 1 MiB erpc), spawn_request + monitor processes on it, stream numbered messages
 * to its soak_sink (window 32, acks checked in sequence) and monitor its soak_gs, until the peer
 * is killed or the run ends.
 *
 * A failure after the peer was marked killed is the kill's (counted, allowed), unless it is a
 * timeout: a call in flight at a kill must fail with the connection, not wait out its timeout.
 * Any other failure is a violation.
 */
import { randomBytes } from 'crypto';
import { atom, equals, formatTerm, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { ErlTimeoutError, ReceiveTimeoutError } from '../../src/process/deadline';
import { ErlProcess } from '../../src/process/process';
import { ErlClient } from '../../src/rpc/client';
import { ERL_TIMEOUT_MS, PeerIncarnation } from './peers';
import { SequenceCheck } from './sequence';
import { Kind, Tally } from './tally';
import { ECHO, SOAK_ACK, SOAK_MSG, SPAWNED } from './ts-services';

const WINDOW = 32;
const DOWN = atom('DOWN');
const NORMAL = atom('normal');
const NOCONNECTION = atom('noconnection');
const BIG_BASE = randomBytes(1 << 20);

export interface DriverOptions {
  node: ErlNode;
  tally: Tally;
  paceMs: number;
  bigPaceMs: number;
  /** True once the run is ending: loops finish their operation (senders: until all is acked). */
  stopping: () => boolean;
  /** Aborted when the run ends: ends waits that only a kill would end otherwise. */
  stopSignal: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A call or receive that ran out of time, rather than failing with the connection. */
const timedOut = (error: unknown): boolean => error instanceof ErlTimeoutError || error instanceof ReceiveTimeoutError;

function seqBlob(seq: number, rest: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(seq));
  return Buffer.concat([head, rest]);
}

const SMALL_REST = Buffer.alloc(56);

/** Drive `peer` until it is killed or the run ends; resolves when every loop has ended. */
export async function driveIncarnation(options: DriverOptions, peer: PeerIncarnation): Promise<void> {
  const driver = new IncarnationDriver(options, peer);
  await Promise.all([
    driver.callLoop('rpc', options.paceMs, (tag, seq) => {
      const blob = seqBlob(seq, SMALL_REST);
      return driver.expect(
        driver.client.rpc(peer.name, 'soak_peer', 'echo', [tag, seq, blob], { timeout: ERL_TIMEOUT_MS }),
        tuple(tag, seq, blob),
      );
    }),
    driver.callLoop('big', options.bigPaceMs, (tag, seq) => {
      const blob = seqBlob(seq, BIG_BASE);
      return driver.expect(
        driver.client.rpc(peer.name, 'soak_peer', 'echo', [tag, seq, blob], { timeout: ERL_TIMEOUT_MS }),
        tuple(tag, seq, blob),
      );
    }),
    driver.callLoop('rex', options.paceMs, (tag, seq) => {
      const blob = seqBlob(seq, SMALL_REST);
      const call = driver.client.rpc(peer.name, 'soak_peer', 'rex_echo', [tag, seq, blob], { timeout: ERL_TIMEOUT_MS, rex: true });
      return driver.expect(call, tuple(tag, seq, blob));
    }),
    driver.callLoop('gen_call', options.paceMs, (tag, seq) =>
      driver.expect(driver.client.call(['soak_gs', peer.name], tuple(ECHO, tag, seq), { timeout: ERL_TIMEOUT_MS }), tuple(tag, seq)),
    ),
    driver.spawnLoop(),
    driver.messageLoop(),
    driver.peerMonitor(),
  ]);
}

/** Run `take` (a receive with timeout 0) until nothing is queued. */
async function takeQueued(take: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await take();
    } catch (error) {
      if (error instanceof ReceiveTimeoutError && error.timeoutMs === 0) return;
      throw error;
    }
  }
}

class IncarnationDriver {
  readonly client: ErlClient;

  constructor(
    private readonly options: DriverOptions,
    private readonly peer: PeerIncarnation,
  ) {
    this.client = new ErlClient(options.node);
  }

  private tag(kind: Kind): Buffer {
    return Buffer.from(`${this.peer.tag}.${kind}`, 'latin1');
  }

  private ending(): boolean {
    return this.peer.killed || this.options.stopping();
  }

  private violation(kind: Kind, what: string): void {
    this.options.tally.violation({ where: 'TS', direction: 'TS→erl', kind, what: `${this.peer.tag}: ${what}` });
  }

  /** Count a failed operation: the kill's when the peer was killed (unless it timed out), else a violation. Returns whether the loop goes on. */
  private failed(kind: Kind, seq: number, error: unknown): boolean {
    const row = this.options.tally.row('TS→erl', kind);
    if (this.peer.killed && !timedOut(error)) {
      row.atKill++;
      return false;
    }
    row.lostLive++;
    this.violation(
      kind,
      `seq ${seq}: ${this.peer.killed ? 'timed out at the kill instead of failing with it' : 'failed while live'}: ${String(error)}`,
    );
    return !this.peer.killed;
  }

  async expect(answer: Promise<Term>, own: Term): Promise<boolean> {
    return equals(await answer, own);
  }

  /** One request at a time, numbered; `op` resolves whether the answer was exactly its own. */
  async callLoop(kind: Kind, paceMs: number, op: (tag: Buffer, seq: number) => Promise<boolean>): Promise<void> {
    const row = this.options.tally.row('TS→erl', kind);
    const tag = this.tag(kind);
    for (let seq = 1; !this.ending(); seq++) {
      row.sent++;
      try {
        if (await op(tag, seq)) row.answered++;
        else if (this.peer.killed) {
          // rex answers a lost node with {badrpc, nodedown}: an answer, and the kill's.
          row.atKill++;
          return;
        } else {
          row.lostLive++;
          this.violation(kind, `seq ${seq}: not its own answer`);
        }
      } catch (error) {
        if (!this.failed(kind, seq, error)) return;
      }
      await sleep(paceMs);
    }
  }

  /** spawn_request + monitor: the process says `{spawned, Tag, Seq, Pid}`, then its DOWN is `normal`. */
  async spawnLoop(): Promise<void> {
    const { tally, paceMs } = this.options;
    const spawns = tally.row('TS→erl', 'spawn');
    const downs = tally.row('TS→erl', 'monitor');
    const tag = this.tag('spawn');
    const proc = this.options.node.spawn();
    try {
      for (let seq = 1; !this.ending(); seq++) {
        spawns.sent++;
        downs.sent++;
        let pid: Pid;
        let ref: Reference;
        try {
          ({ pid, ref } = await this.client.spawnMonitor(this.peer.name, 'soak_peer', 'spawned', [proc.pid, tag, seq], {
            from: proc,
            timeout: ERL_TIMEOUT_MS,
          }));
        } catch (error) {
          downs.sent--;
          if (!this.failed('spawn', seq, error)) return;
          continue;
        }
        if (!(await this.spawnAnswer(proc, tag, seq, pid, ref))) return;
        await sleep(paceMs);
      }
      await this.noStrays('spawn', proc);
    } finally {
      proc.exit();
    }
  }

  /** At a loop's end, the peer alive: a message still queued is a stray (a duplicate nothing took). */
  private async noStrays(kind: Kind, proc: ErlProcess): Promise<void> {
    if (this.peer.killed) return;
    let stray: Term;
    try {
      stray = await proc.receive(undefined, { timeout: 0 });
    } catch {
      return;
    }
    this.options.tally.row('TS→erl', kind).duplicated++;
    this.violation(kind, `a stray message at the end: ${formatTerm(stray)}`);
  }

  /** The spawned process's message, then its DOWN, in that order; false when the loop ends. */
  private async spawnAnswer(proc: ErlProcess, tag: Buffer, seq: number, pid: Pid, ref: Reference): Promise<boolean> {
    const spawns = this.options.tally.row('TS→erl', 'spawn');
    const downs = this.options.tally.row('TS→erl', 'monitor');
    const isDown = (m: Term): boolean => m instanceof Tuple && m.length === 5 && m.get(0) === DOWN && equals(m.get(1), ref);
    const isSpawned = (m: Term): boolean => m instanceof Tuple && m.length === 4 && m.get(0) === SPAWNED && equals(m.get(1), tag);
    let first: Tuple;
    try {
      first = await proc.receive((m) => (isSpawned(m) || isDown(m) ? (m as Tuple) : undefined), { timeout: ERL_TIMEOUT_MS });
    } catch (error) {
      return this.failed('spawn', seq, error);
    }
    if (isSpawned(first)) {
      if (first.get(2) === seq && equals(first.get(3), pid)) spawns.answered++;
      else {
        spawns.lostLive++;
        this.violation('spawn', `seq ${seq}: got the spawned message of seq ${formatTerm(first.get(2))}`);
      }
    } else if (this.peer.killed && first.get(4) === NOCONNECTION) {
      spawns.atKill++;
      downs.atKill++;
      return false;
    } else {
      spawns.lostLive++;
      this.violation('spawn', `seq ${seq}: DOWN before the spawned message: ${formatTerm(first.get(4))}`);
    }
    let down: Tuple;
    try {
      down = isDown(first) ? first : await proc.receive((m) => (isDown(m) ? (m as Tuple) : undefined), { timeout: ERL_TIMEOUT_MS });
    } catch (error) {
      return this.failed('monitor', seq, error);
    }
    if (down.get(4) === NORMAL) downs.answered++;
    else if (this.peer.killed && down.get(4) === NOCONNECTION) {
      downs.atKill++;
      return false;
    } else {
      downs.lostLive++;
      this.violation('monitor', `seq ${seq}: DOWN ${formatTerm(down.get(4))}`);
    }
    return true;
  }

  /**
   * Numbered messages to `{soak_sink, Peer}`, at most {@link WINDOW} unacknowledged; the acks are a
   * stream of their own, checked here. At the end of the run it waits for every ack; at a kill,
   * what was sent and not acknowledged counts as in flight at the kill.
   */
  async messageLoop(): Promise<void> {
    const { tally, paceMs } = this.options;
    const messages = tally.row('TS→erl', 'message');
    const acks = tally.row('erl→TS', 'ack');
    const tag = this.tag('message');
    const ackCheck = new SequenceCheck();
    const proc = this.options.node.spawn();
    const payload = SMALL_REST;
    let sent = 0;
    let acked = 0;
    const isAck = (m: Term): number | undefined =>
      m instanceof Tuple && m.length === 3 && m.get(0) === SOAK_ACK && equals(m.get(1), tag) && typeof m.get(2) === 'number'
        ? (m.get(2) as number)
        : undefined;
    const takeAck = async (timeout: number): Promise<void> => {
      const seq = await proc.receive(isAck, { timeout, signal: this.peer.signal });
      acks.received++;
      const arrival = ackCheck.arrive(seq);
      if (arrival === 'next') messages.answered++;
      else
        this.options.tally.violation({ where: 'TS', direction: 'erl→TS', kind: 'ack', what: `${this.peer.tag}: ack ${arrival} at ${seq}` });
      acked = Math.max(acked, seq);
    };
    try {
      for (;;) {
        await takeQueued(() => takeAck(0));
        const stopping = this.options.stopping();
        if (this.peer.killed) break;
        if (stopping && acked === sent) {
          await this.noStrays('message', proc);
          break;
        }
        if (stopping || sent - acked >= WINDOW) {
          await takeAck(ERL_TIMEOUT_MS);
          continue;
        }
        sent++;
        messages.sent++;
        proc.send(['soak_sink', this.peer.name], tuple(SOAK_MSG, tag, sent, proc.pid, seqBlob(sent, payload)));
        await sleep(paceMs);
      }
    } catch (error) {
      // Counted, and the loop ends: nothing awaits it until the end of the run. Failing with the
      // kill, the message is among those in flight the finally counts.
      if (!this.peer.killed || timedOut(error)) this.failed('message', acked + 1, error);
    } finally {
      if (this.peer.killed) messages.atKill += sent - acked;
      acks.lostLive += ackCheck.lost;
      acks.duplicated += ackCheck.duplicated;
      acks.reordered += ackCheck.reordered;
      proc.exit();
    }
  }

  /** Monitor the peer's soak_gs: it must go DOWN with noconnection at the kill, and only then. */
  async peerMonitor(): Promise<void> {
    const row = this.options.tally.row('TS→erl', 'peer_monitor');
    const proc = this.options.node.spawn();
    const ref = proc.monitor(['soak_gs', this.peer.name]);
    row.sent++;
    try {
      const reason = await proc.receive(
        (m) => (m instanceof Tuple && m.length === 5 && m.get(0) === DOWN && equals(m.get(1), ref) ? m.get(4) : undefined),
        {
          signal: this.options.stopSignal,
        },
      );
      if (this.peer.killed && reason === NOCONNECTION) row.answered++;
      else {
        row.lostLive++;
        this.violation('peer_monitor', `DOWN ${formatTerm(reason)} while the peer was ${this.peer.killed ? 'killed' : 'live'}`);
      }
    } catch {
      // The run ended with the peer alive: the monitor never fired, as it should not.
    } finally {
      proc.exit();
    }
  }
}
