/**
 * What the erlbridge node serves to the soak's erl peers (the erl -> TS half): the module `soak`
 * (echo/3 for erpc calls, spawned/3 for spawn_monitor/4), the gen_server `soak_gs` and the message
 * sink `soak_sink`. Each request and message carries its sender's stream tag and number; every
 * stream is checked to arrive strictly in sequence here, and answered with exactly its own values.
 */
import { Atom, atom, Pid, Term, Tuple, tuple } from '../../codec';
import { startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { SequenceChecks } from './sequence';
import { Kind, Tally } from './tally';

export const SOAK_MSG = atom('soak_msg');
export const SOAK_ACK = atom('soak_ack');
export const SPAWNED = atom('spawned');
export const ECHO = atom('echo');
const BIG_FROM = 65536;

/** The receiving side's stream checks, one set per kind. */
export class ReceiverChecks {
  private readonly checks = new Map<Kind, SequenceChecks>();

  constructor(
    private readonly tally: Tally,
    private readonly direction: 'erl→TS',
  ) {}

  /** Count and check one arrival of `seq` on stream `tag`. */
  arrive(kind: Kind, tag: Buffer, seq: number): void {
    let checks = this.checks.get(kind);
    if (checks === undefined) this.checks.set(kind, (checks = new SequenceChecks()));
    const row = this.tally.row(this.direction, kind);
    row.received++;
    const key = tag.toString('latin1');
    const arrival = checks.get(key).arrive(seq);
    if (arrival !== 'next') this.tally.violation({ where: 'TS', direction: this.direction, kind, what: `${arrival} on ${key} at ${seq}` });
  }

  /** Fold the checks' totals into the rows (once, at the end). */
  settle(): void {
    for (const [kind, checks] of this.checks) {
      const row = this.tally.row(this.direction, kind);
      const t = checks.totals();
      row.lostLive += t.lost;
      row.duplicated += t.duplicated;
      row.reordered += t.reordered;
    }
  }
}

function isTagged(request: Term): request is Tuple<[Atom, Buffer, number]> {
  return (
    request instanceof Tuple &&
    request.length === 3 &&
    request.get(0) === ECHO &&
    Buffer.isBuffer(request.get(1)) &&
    typeof request.get(2) === 'number'
  );
}

/** Serve the erl -> TS half on `node`; resolves once soak_gs is up. Returns what stops it. */
export async function serveSoak(node: ErlNode, checks: ReceiverChecks): Promise<() => Promise<void>> {
  node.modules.registerModule('soak', {
    echo: (tag: Term, seq: Term, blob: Term) => {
      if (Buffer.isBuffer(tag) && typeof seq === 'number' && Buffer.isBuffer(blob))
        checks.arrive(blob.length >= BIG_FROM ? 'big' : 'rpc', tag, seq);
      return tuple(tag, seq, blob);
    },
    rex_echo: (tag: Term, seq: Term, blob: Term) => {
      if (Buffer.isBuffer(tag) && typeof seq === 'number') checks.arrive('rex', tag, seq);
      return tuple(tag, seq, blob);
    },
  });
  node.modules.registerSpawnable('soak', 'spawned', (self: ErlProcess, from: Term, tag: Term, seq: Term) => {
    if (!(from instanceof Pid && Buffer.isBuffer(tag) && typeof seq === 'number')) return;
    checks.arrive('spawn', tag, seq);
    self.send(from, tuple(SPAWNED, tag, seq, self.pid));
  });
  const gs = await startGenServer(
    node,
    {
      handleCall(request: Term): Term {
        if (!isTagged(request)) return atom('badarg');
        checks.arrive('gen_call', request.get(1), request.get(2));
        return tuple(request.get(1), request.get(2));
      },
    },
    { name: 'soak_gs' },
  );
  const sink = node.spawn(
    async (self) => {
      for (;;) {
        const m = await self.receive();
        if (!(m instanceof Tuple && m.length === 5 && m.get(0) === SOAK_MSG)) continue;
        const [, tag, seq, from] = m.elements;
        if (!(Buffer.isBuffer(tag) && typeof seq === 'number' && from instanceof Pid)) continue;
        checks.arrive('message', tag, seq);
        self.send(from, tuple(SOAK_ACK, tag, seq));
      }
    },
    { name: 'soak_sink' },
  );
  return async () => {
    sink.exit(atom('shutdown'));
    await gs.stop();
  };
}
