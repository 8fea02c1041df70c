/**
 * The short chaos run (DESIGN §8b, §10): the local runtime on a persistent data folder is killed
 * with SIGKILL once, at a moment when some payment's event is recorded but not yet applied
 * everywhere (local queues are in memory, so that message dies with the runtime), and restarted
 * on the same data. The sweepers and recovery must then bring every payment to the PSP's truth,
 * applied once everywhere, with nothing left behind. `npm run chaos` is the long version.
 */
import { runChaos } from '../../chaos/run';

jest.setTimeout(420_000);

it('loses nothing and doubles nothing across a kill -9 of the whole runtime', async () => {
  const report = await runChaos({
    payments: 16,
    kills: 1,
    concurrency: 4,
    seed: 42,
    disableCompletionSweeper: false,
    disableWebhooks: false,
    settleTimeoutMs: 120_000,
    stepTimeoutMs: 90_000,
    keepData: false,
  });
  expect({ payments: report.payments, kills: report.kills, violations: report.details.violations }).toEqual({
    payments: 16,
    kills: 1,
    violations: {},
  });
  expect(Object.values(report.invariants)).toEqual(Object.values(report.invariants).map(() => true));
  expect(Object.keys(report.invariants).length).toBeGreaterThanOrEqual(8);
  // A console refund raced recovery's look and was recorded from webhooks alone (no reconciliation).
  expect(report.details.kinds.consoleRefund).toBeGreaterThanOrEqual(1);
  expect(report.details.webhookHints).toBeGreaterThan(0);
  // The kill came with work in flight, which the restarted runtime applied (everyPaymentDone).
  expect(report.details.inFlightAtKill[0]).toBeGreaterThan(0);
});
