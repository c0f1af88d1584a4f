/**
 * The soak (bench/soak, `npm run soak`) in short: 30 s of the mixed workload between an erlbridge
 * node and two erl peers of the host's OTP, with a peer killed (kill -9) and restarted twice. The
 * command must end with 0 (nothing lost, duplicated or reordered while live; a wrong answer or a
 * failure on a live connection is a violation), and every kind of operation must have run.
 * A pause of 5 ms between operations (2 ms in `npm run soak`) takes less CPU from the other jest worker.
 * The long run and its figures: docs/soak.md.
 */
import { soakMain } from '../../bench/soak/cli';
import { REPORT_MARKER } from '../../bench/soak/report';
import type { SoakReport } from '../../bench/soak/soak';
import { describeHostOtp } from '../support/otp';

describeHostOtp('short soak', () => {
  it('runs 30 s with two kill -9 and restarts, and loses nothing while live', async () => {
    let output = '';
    const code = await soakMain(['--seconds', '30', '--kill-every', '10', '--pace', '5'], (text) => (output += text));
    const line = output.split('\n').find((l) => l.startsWith(REPORT_MARKER));
    expect(line).toBeDefined();
    const report = JSON.parse((line as string).slice(REPORT_MARKER.length)) as SoakReport;
    // The report's text (it names every violation) is the failure message.
    if (code !== 0) throw new Error(`the soak failed (exit ${code}):\n${output.replace(line as string, '')}`);
    expect({ code, violations: report.violationCount, ok: report.ok }).toEqual({ code: 0, violations: 0, ok: true });
    expect(report.kills).toBeGreaterThanOrEqual(1);
    expect(report.restarts).toBe(report.kills);
    const kinds = report.rows.map((r) => `${r.direction} ${r.kind}`);
    for (const direction of ['erl→TS', 'TS→erl']) {
      for (const kind of ['rpc', 'rex', 'big', 'gen_call', 'spawn', 'monitor', 'message', 'ack'])
        expect(kinds).toContain(`${direction} ${kind}`);
    }
    for (const { direction, kind, row } of report.rows) {
      // Sent, answered (an ack: nothing to answer it), and seen by the receiver (a DOWN: no receiver count).
      const seen = {
        sent: row.sent > 0,
        answered: kind === 'ack' || row.answered > 0,
        received: kind === 'monitor' || kind === 'peer_monitor' || row.received > 0,
      };
      expect({ operation: `${direction} ${kind}`, ...seen }).toEqual({
        operation: `${direction} ${kind}`,
        sent: true,
        answered: true,
        received: true,
      });
    }
    const peerDowns = report.rows.find((r) => r.kind === 'peer_monitor');
    expect(peerDowns?.row.answered).toBe(report.kills);
  }, 90_000);
});
