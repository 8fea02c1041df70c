/**
 * `npm run ops` against the shared local stack, as an operator runs it: it says what it acts on,
 * refuses ports where this project's stack is not, and its commands act on the real emulators.
 */
import { freePort } from '../../local/runtime/ports';
import { eventually } from '../support/events';
import { createOrder, getPayment, postConfirm, sim } from '../support/http-client';
import { ops, opsWithEnv } from '../support/ops-cli';

const COMMANDS = ['recover', 'sweep-outbox', 'republish', 'payment', 'reconcile', 'dlq', 'redrive'];

beforeAll(() => {
  // The stack's PSP simulator, for the commands that run handlers in the CLI's process.
  process.env.PSP_BASE_URL = sim.url();
});

describe('npm run ops', () => {
  it('--help lists every command', async () => {
    const answer = await ops('--help');
    expect(answer.code).toBe(0);
    for (const command of COMMANDS) expect(answer.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  }, 30_000);

  it('refuses an unknown command or option with the usage (exit 2), acting on nothing', async () => {
    for (const args of [['bogus'], ['dlq', 'drop'], ['--force', 'recover'], ['--stack', 'X', 'recover']]) {
      const answer = await ops(...args);
      expect({ args, code: answer.code }).toEqual({ args, code: 2 });
      expect(answer.stderr).toMatch(/Operator commands|Usage: npm run ops/);
      expect(answer.stderr).not.toContain('acting on');
    }
  }, 60_000);

  it('reconcile refuses a date that is no calendar date, in the future or before any payment: exit 2', async () => {
    const tomorrow = new Date(Date.now() + 9 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const cases: [string, RegExp][] = [
      ['2026-02-30', /2026-02-30 is not a calendar date/],
      ['2024-3-1', /not a calendar date/],
      [tomorrow, /is in the future: today is .* in Seoul/],
      // Known only from the stack: no payment predates the payments table.
      ['1900-01-01', /1900-01-01 is before any payment: the payments table exists since/],
    ];
    for (const [date, message] of cases) {
      const answer = await ops('reconcile', '--date', date);
      expect({ date, code: answer.code }).toEqual({ date, code: 2 });
      expect(answer.stderr).toMatch(message);
      expect(answer.stdout).toBe('');
    }
    const missing = await ops('reconcile');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('reconcile needs --date YYYY-MM-DD');
  }, 120_000);

  it('reconcile of today runs as a dry run and says so', async () => {
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const answer = await ops('reconcile', '--date', today, '--json');
    expect(answer.code).toBe(0);
    expect(answer.stderr).toContain(`${today} is not closed yet: a dry run, nothing was corrected or stored`);
    expect(JSON.parse(answer.stdout)).toMatchObject({ summary: { date: today, dryRun: true } });
  }, 60_000);

  it('refuses to act when nothing answers where the local stack should be', async () => {
    const port = await freePort();
    const answer = await opsWithEnv({ AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}` }, 'dlq', 'list');
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain(`nothing usable answers at local SQS http://127.0.0.1:${port}`);
    expect(answer.stdout).toBe('');
  }, 30_000);

  it("refuses an SQS that answers but holds none of this project's queues", async () => {
    // DynamoDB Local speaks a protocol close enough to answer, and has no such queue.
    const answer = await opsWithEnv(
      { AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_DYNAMODB },
      'dlq',
      'list',
    );
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(
      /local SQS \S+ answers but has no queue|nothing usable answers at local SQS/,
    );
    expect(answer.stdout).toBe('');
  }, 30_000);

  it('dlq list prints the endpoint and every terminal queue, the on-failure queue included', async () => {
    const answer = await ops('dlq', 'list');
    expect(answer.code).toBe(0);
    expect(answer.stderr).toContain(`acting on local stack (SQS ${process.env.AWS_ENDPOINT_URL_SQS}`);
    for (const queue of ['wallet-dlq', 'ledger-dlq', 'completion-dlq', 'publishFailures']) {
      expect(answer.stdout).toMatch(new RegExp(`^${queue}\\s+\\d+$`, 'm'));
    }
    expect(answer.stdout).not.toMatch(/^wallet\s/m);
  }, 30_000);

  it('recover and sweep-outbox each run the scheduled function once and print its report', async () => {
    const recovered = await ops('recover', '--json');
    expect(recovered).toMatchObject({ code: 0 });
    expect(JSON.parse(recovered.stdout)).toEqual(expect.objectContaining({ examined: expect.any(Number) }));
    const swept = await ops('sweep-outbox', '--json');
    expect(swept).toMatchObject({ code: 0 });
    expect(JSON.parse(swept.stdout)).toEqual({ republished: expect.any(Number), failed: 0 });
  }, 60_000);

  it('payment <orderId> shows the payment and where each event got to', async () => {
    const { orderId, amount } = await createOrder();
    const paymentKey = await sim.session(orderId, amount);
    expect((await postConfirm({ paymentKey, orderId, amount })).status).toBe(200);
    const done = await eventually(
      () => getPayment(orderId),
      (a) => a.json?.done === true,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(done.json.done).toBe(true);

    const answer = await ops('payment', orderId);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toMatch(new RegExp(`^payment\\s+${orderId}$`, 'm'));
    expect(answer.stdout).toMatch(/status\s+SUCCESS/);
    expect(answer.stdout).toMatch(/^1\s+PaymentConfirmed\s+\S+\s+yes\s+applied\s+applied\s+reported\s*$/m);

    // Republished as a redelivery: the consumers absorb it, nothing changes on the payment.
    const republished = await ops('republish', orderId, '--json');
    expect(republished).toMatchObject({ code: 0 });
    expect(JSON.parse(republished.stdout)).toEqual({ orderId, seqs: [1] });
  }, 60_000);

  it('payment refuses an orderId that cannot exist and reports one that does not', async () => {
    const malformed = await ops('payment', 'x'.repeat(300));
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('give an orderId');
    const missing = await ops('payment', 'order-never-created');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no payment order-never-created');
  }, 60_000);
});
