/**
 * Mailbox limits: past `maxLen` a process is killed with `{mailbox_limit, MaxLen}`, which its
 * links and monitors (local and remote) see and the log reports; at `warnLen` one warning per
 * process, rate-limited across processes; a message a waiting receive takes never counts.
 */
import { atom, equals, formatTerm, Pid, Reference, Term, tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { DEFAULT_MAILBOX_WARN_LEN, mailboxWatch } from '../../src/process/mailbox-limits';
import { Logger } from '../../src/process/logger';
import { RateLimitedLog } from '../../src/process/rate-limited-log';
import { ProcessTable } from '../../src/process/table';
import { ignoredRemoteSignals } from '../support/remote-signals';

const REASON = (n: number) => tuple(atom('mailbox_limit'), n);

/** A table whose processes start with `limits`, the log lines they cause, and the DOWNs sent to other nodes. */
function tableWith(limits: { maxLen?: number; warnLen?: number }) {
  const lines: string[] = [];
  const remoteDowns: Array<{ watcher: Pid; ref: Reference; reason: Term }> = [];
  const remote = ignoredRemoteSignals({
    monitorExit: (_target, watcher, ref, reason) => remoteDowns.push({ watcher, ref, reason }),
  });
  const t = new ProcessTable(atom('ts@host'), 7, remote);
  const logger = new Logger({ node: 'ts@host', sink: (line) => lines.push(line) });
  t.mailboxWatch = mailboxWatch(limits, { logger, node: 'ts@host', warnings: new RateLimitedLog((l) => logger.warning(l)) });
  return { t, lines, remoteDowns };
}

describe('mailbox limits', () => {
  it('kill the process past maxLen with {mailbox_limit, MaxLen}; links, monitors and the log see it', async () => {
    const { t, lines, remoteDowns } = tableWith({ maxLen: 3 });
    const flooded = t.create();
    flooded.trapExit = true; // the kill cannot be trapped
    const watcher = t.create();
    const trapper = t.create();
    trapper.trapExit = true;
    const linked = t.create();
    const ref = watcher.monitor(flooded.pid);
    trapper.link(flooded.pid);
    linked.link(flooded.pid);
    t.remoteMonitor(new Pid(atom('erl@host'), 5, 0, 1), flooded.pid, t.makeRef());
    for (let i = 1; i <= 3; i++) flooded.deliver(i);
    expect(flooded.alive).toBe(true);
    expect(lines).toEqual([]);
    flooded.deliver(4);
    expect(flooded.alive).toBe(false);
    expect(equals(await flooded.done, REASON(3))).toBe(true);
    const down = await watcher.receive(undefined, { timeout: 0 });
    expect(equals(down, tuple(atom('DOWN'), ref, atom('process'), flooded.pid, REASON(3)))).toBe(true);
    const exit = await trapper.receive(undefined, { timeout: 0 });
    expect(equals(exit, tuple(atom('EXIT'), flooded.pid, REASON(3)))).toBe(true);
    expect(equals(await linked.done, REASON(3))).toBe(true);
    expect(remoteDowns.map((d) => formatTerm(d.reason))).toEqual(['{mailbox_limit,3}']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^=ERROR REPORT====/);
    expect(lines[0]).toContain('maximum message queue length reached');
    expect(lines[0]).toContain('Max Queue Len:      3');
    expect(lines[0]).toContain('Message Queue Len:  4');
  });

  it('count only messages that wait: a process that keeps receiving never reaches its limit', async () => {
    const { t } = tableWith({ maxLen: 2 });
    const busy = t.create();
    let got = 0;
    const loop = (async () => {
      for (;;) {
        await busy.receive();
        if (++got === 100) return;
      }
    })();
    for (let i = 0; i < 100; i++) {
      busy.deliver(i);
      await Promise.resolve();
    }
    await loop;
    expect(busy.alive).toBe(true);
    // Selective receive: messages it does not take wait, and count.
    const picky = t.create();
    const waiting = picky.receive((m) => (m === 'wanted' ? m : undefined));
    picky.deliver('a');
    picky.deliver('b');
    expect(picky.alive).toBe(true);
    picky.deliver('c');
    expect(picky.alive).toBe(false);
    await expect(waiting).rejects.toMatchObject({ code: 'exited' });
  });

  it('warn once per process at warnLen, and at most 10 lines a minute across processes', () => {
    const { t, lines } = tableWith({ warnLen: 5 });
    const one = t.create();
    for (let i = 0; i < 4; i++) one.deliver(i);
    expect(lines).toEqual([]);
    for (let i = 0; i < 50; i++) one.deliver(i);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^=WARNING REPORT====/);
    expect(lines[0]).toContain(`process <0.${one.pid.id}.0> has 5 messages waiting in its mailbox (no limit)`);
    expect(one.alive).toBe(true);
    for (let p = 0; p < 30; p++) {
      const proc = t.create();
      for (let i = 0; i < 5; i++) proc.deliver(i);
    }
    expect(lines).toHaveLength(10);
  });

  it('are off for maxLen and on at 10,000 for warnLen by default', () => {
    const { t, lines } = tableWith({});
    const proc = t.create();
    for (let i = 0; i < DEFAULT_MAILBOX_WARN_LEN - 1; i++) proc.deliver(i);
    expect(lines).toEqual([]);
    for (let i = 0; i < 50_000; i++) proc.deliver(i);
    expect(proc.alive).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`has ${DEFAULT_MAILBOX_WARN_LEN} messages waiting`);
  });
});

describe('mailbox limits of a node', () => {
  let node: ErlNode;
  const lines: string[] = [];

  beforeAll(async () => {
    node = await ErlNode.start({
      name: 'mailbox',
      cookie: 'mailbox',
      distListen: false,
      mailbox: { maxLen: 10 },
      log: (l) => lines.push(l),
    });
  });

  afterAll(() => node.stop());

  it('apply NodeOptions.mailbox to spawned processes, SpawnOptions.mailbox over it, never to its own', async () => {
    const byDefault = node.spawn(undefined, { name: 'sink' });
    for (let i = 0; i <= 10; i++) node.send('sink', i);
    expect(formatTerm(await byDefault.done)).toBe('{mailbox_limit,10}');
    expect(node.whereis('sink')).toBeUndefined();
    expect(lines.some((l) => l.includes('maximum message queue length reached'))).toBe(true);
    const roomier = node.spawn(undefined, { mailbox: { maxLen: 20 } });
    for (let i = 0; i <= 15; i++) roomier.deliver(i);
    expect(roomier.alive).toBe(true);
    for (let i = 0; i < 5; i++) roomier.deliver(i);
    expect(formatTerm(await roomier.done)).toBe('{mailbox_limit,20}');
    const unlimited = node.spawn(undefined, { mailbox: { maxLen: Infinity } });
    for (let i = 0; i < 100; i++) unlimited.deliver(i);
    expect(unlimited.alive).toBe(true);
    unlimited.exit();
    // The node's own processes (its group leader, pg's scope) are never killed for their queue, but warn.
    for (const own of [node.groupLeader, node.whereis('pg') as ErlProcess]) {
      expect(own.mailboxWatch?.maxLen).toBe(Infinity);
      expect(own.mailboxWatch?.warnLen).toBe(DEFAULT_MAILBOX_WARN_LEN);
    }
  });

  it('reject limits that are not whole numbers at least 0 with a TypeError, and make no process', async () => {
    const before = node.processes.size;
    expect(() => node.spawn(undefined, { mailbox: { maxLen: -1 } })).toThrow(TypeError);
    expect(() => node.spawn(undefined, { mailbox: { warnLen: 1.5 } })).toThrow(TypeError);
    expect(node.processes.size).toBe(before);
    await expect(ErlNode.start({ name: 'bad', cookie: 'c', distListen: false, mailbox: { maxLen: NaN } })).rejects.toThrow(TypeError);
  });
});
