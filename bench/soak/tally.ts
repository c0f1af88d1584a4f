/**
 * The soak's books: per direction and kind of operation, what was sent, answered, received, and
 * every way it went wrong; and the list of violations (anything that must not happen while the
 * connection is live).
 */
export type Direction = 'erl→TS' | 'TS→erl';

export const KINDS = ['rpc', 'rex', 'big', 'gen_call', 'spawn', 'monitor', 'message', 'ack', 'peer_monitor'] as const;
export type Kind = (typeof KINDS)[number];

/** What each kind is, for the report. */
export const KIND_LABELS: Record<Kind, string> = {
  rpc: 'erpc call (64 B)',
  rex: 'rpc:call through rex ({call, M, F, A, GL})',
  big: 'erpc call, 1 MiB each way',
  gen_call: 'gen_server:call',
  spawn: 'remote spawn (spawn_monitor / spawn_request)',
  monitor: "monitor of the spawned process: 'DOWN' normal",
  message: 'numbered message (window 32)',
  ack: 'ack of a numbered message',
  peer_monitor: "monitor of the peer's soak_gs: DOWN noconnection at its kill",
};

export interface Row {
  /** Requests made / messages sent (erl senders: as of each incarnation's last report). */
  sent: number;
  /** Requests answered with exactly their own answer / messages acknowledged. */
  answered: number;
  /** Requests or messages the receiver saw (its own count). */
  received: number;
  /** Unanswered, wrongly answered or missing although the connection was live. Must be 0. */
  lostLive: number;
  duplicated: number;
  reordered: number;
  /** In flight when the peer was killed: allowed, counted (TS senders only: an erl sender dies with its count). */
  atKill: number;
}

export interface Violation {
  /** Who saw it: `TS`, `harness`, or the erl peer's name. */
  where: string;
  direction: Direction;
  /** A {@link Kind}, or what else went wrong (`connection`, `peer`, `erl`). */
  kind: string;
  what: string;
}

const MAX_KEPT = 50;

export class Tally {
  readonly rows = new Map<string, Row>();
  readonly violations: Violation[] = [];
  violationCount = 0;

  row(direction: Direction, kind: Kind): Row {
    const key = `${direction} ${kind}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { sent: 0, answered: 0, received: 0, lostLive: 0, duplicated: 0, reordered: 0, atKill: 0 };
      this.rows.set(key, row);
    }
    return row;
  }

  violation(v: Violation): void {
    this.violationCount++;
    if (this.violations.length < MAX_KEPT) this.violations.push(v);
  }
}
