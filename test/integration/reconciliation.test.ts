/**
 * Daily reconciliation (DESIGN §8) on the local stack: payments made over HTTP and at the PSP
 * simulator, some states written straight through the payment store to produce what only crashes
 * and timeouts would, then the reconciliation use case composed in-process as the handler composes
 * it. Every class is found, the safe corrections are applied once, and a re-run changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { summaryKey } from '../../lambdas/adapters/dynamodb/reconciliation-store';
import {
  DEFAULT_RECONCILIATION_SETTINGS,
  type ReconciliationResult,
  reconciliationUseCase,
  scheduledReconciliationUseCase,
} from '../../lambdas/application/reconciliation';
import { dayClosesAt, seoulDay } from '../../lambdas/domain/business-day';
import { approve, markUnknown, type Payment, type Transition } from '../../lambdas/domain/payment';
import type { PaymentStore } from '../../lambdas/ports/payment-store';
import { documentClient, paymentStore } from '../../lambdas/shared/composition';
import { reconciliationDeps } from '../../lambdas/shared/reconciliation-deps';
import { telemetry } from '../../lambdas/shared/telemetry';
import {
  createOrder,
  getPayment,
  localPrincipalArn,
  postCancel,
  postConfirm,
  request,
  sim,
} from '../support/http-client';

const SECRET_KEY = 'test_sk_local_simulator';
const AUTH = `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`;
const DAY_MS = 86_400_000;
const deadline = { remainingMs: () => 120_000 };

/** An hour after `date` closes (over in Seoul, plus the settlement lag): the night's run. */
function nightAfter(date: string): Date {
  const lagMs = DEFAULT_RECONCILIATION_SETTINGS.settlementLagHours * 3_600_000;
  return new Date(dayClosesAt(date, lagMs).getTime() + 3_600_000);
}

/** The composed dependencies, with the clock at `now`: the simulator serves its rows as of then too. */
async function depsAt(now: Date) {
  await sim.settlements({ asOf: now.toISOString() });
  return { ...reconciliationDeps(telemetry(), client), clock: () => now };
}

let client: DynamoDBClient;
let store: PaymentStore;
let reportsDir: string;

beforeAll(async () => {
  const pspUrl = process.env.PSP_URL;
  if (!pspUrl || !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error('the integration tier needs the local stack (PSP_URL, AWS_ENDPOINT_URL_DYNAMODB)');
  }
  reportsDir = await mkdtemp(join(tmpdir(), 'reconciliation-reports-'));
  Object.assign(process.env, {
    PSP_BASE_URL: pspUrl,
    PSP_SECRET_KEY: SECRET_KEY,
    PAYMENTS_TABLE: 'payments',
    WALLETS_TABLE: 'wallets',
    LEDGER_TABLE: 'ledger',
    REPORTS_DIR: reportsDir,
  });
  client = new DynamoDBClient({});
  store = paymentStore(client);
});

afterAll(async () => {
  client?.destroy();
  if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
});

/** The PSP's own API, as a merchant console or a lost client call would use it. */
async function atPsp(path: string, body: Record<string, unknown>) {
  const answer = await request(sim.url(), 'POST', path, {
    body,
    headers: { Authorization: AUTH, 'Idempotency-Key': randomUUID() },
  });
  if (answer.status !== 200) throw new Error(`PSP ${path}: ${answer.status} ${answer.text}`);
  return answer.json;
}

/** The buyer pays in the PSP window and the PSP approves, whatever we record. */
async function approvedAtPsp(orderId: string, amount: number): Promise<string> {
  const paymentKey = await sim.session(orderId, amount);
  await atPsp('/v1/payments/confirm', { paymentKey, orderId, amount });
  return paymentKey;
}

/** EXECUTING with recovery's first look a day away, so the stack's recovery leaves it to us. */
async function executing(orderId: string, paymentKey: string, amount: number): Promise<Payment> {
  const now = new Date();
  const begun = await store.beginExecution({
    orderId,
    owner: localPrincipalArn(),
    paymentKey,
    amount,
    at: now.toISOString(),
    recoveryDueAt: new Date(now.getTime() + DAY_MS).toISOString(),
  });
  if (!begun.ok) throw new Error(`could not begin ${orderId}`);
  return begun.payment;
}

async function saved(previous: Payment, transition: Transition, recoveryDueAt?: string): Promise<void> {
  if (!transition.ok) throw new Error(transition.reason);
  if (!(await store.save(previous, transition.payment, { event: transition.event, recoveryDueAt }))) {
    throw new Error(`could not save ${previous.orderId}`);
  }
}

async function confirmedOverHttp(): Promise<{ orderId: string; paymentKey: string }> {
  const order = await createOrder();
  const paymentKey = await sim.session(order.orderId, order.amount);
  const answer = await postConfirm({ ...order, paymentKey });
  if (answer.status !== 200) throw new Error(`confirm: ${answer.status} ${answer.text}`);
  return { orderId: order.orderId, paymentKey };
}

/** Near midnight in Seoul the rows of one scenario could fall on two days; start after it. */
async function awayFromSeoulMidnight(): Promise<void> {
  const msIntoDay = (Date.now() + 9 * 3_600_000) % DAY_MS;
  const untilMidnight = DAY_MS - msIntoDay;
  if (untilMidnight < 60_000) await new Promise((r) => setTimeout(r, untilMidnight + 1_000));
}

interface CsvRow {
  readonly cls: string;
  readonly action: string;
}

async function discrepancies(date: string): Promise<Map<string, CsvRow>> {
  const csv = await readFile(join(reportsDir, 'reconciliation', date, 'discrepancies.csv'), 'utf8');
  const rows = csv.trim().split('\r\n').slice(1);
  return new Map(
    rows.map((line) => {
      const [orderId = '', cls = '', action = ''] = line.split(',');
      return [orderId, { cls, action }];
    }),
  );
}

async function stored(orderId: string): Promise<Payment> {
  const payment = await store.get(orderId);
  if (!payment) throw new Error(`no payment ${orderId}`);
  return payment;
}

async function waitUntilSettled(orderId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await getPayment(orderId)).json.done) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${orderId} was not settled by the wallet and ledger consumers`);
}

describe('reconciliation on the local stack', () => {
  // What reconciliation heals is what no webhook reported: this day is seeded with them off.
  beforeAll(() => sim.webhooksOff());
  afterAll(async () => {
    await sim.webhooksOn();
    await sim.settlements({ asOf: null, pageDelayMs: 0 });
  });

  it('classifies a seeded day, corrects what is safe once, and a re-run changes nothing', async () => {
    await awayFromSeoulMidnight();
    const date = seoulDay(new Date());

    const matched = await confirmedOverHttp();
    const canceledByUs = await confirmedOverHttp();
    expect(
      (await postCancel(canceledByUs.orderId, randomUUID(), { cancelReason: 'r', cancelAmount: 1_000 }))
        .status,
    ).toBe(200);

    const theirsOnly = `ghost-${randomUUID()}`;
    await approvedAtPsp(theirsOnly, 4_000);

    const oursOnly = await createOrder();
    const oursOnlyExecuting = await executing(
      oursOnly.orderId,
      `tsim_never_${randomUUID()}`,
      oursOnly.amount,
    );
    await saved(
      oursOnlyExecuting,
      approve(oursOnlyExecuting, {
        paymentKey: oursOnlyExecuting.paymentKey ?? '',
        approvedAt: new Date().toISOString(),
        at: new Date().toISOString(),
      }),
    );

    const otherAmount = await createOrder();
    const otherAmountKey = await approvedAtPsp(otherAmount.orderId, otherAmount.amount - 1_000);
    await executing(otherAmount.orderId, otherAmountKey, otherAmount.amount);

    const neverStarted = await createOrder();
    await approvedAtPsp(neverStarted.orderId, neverStarted.amount);

    // The confirm's answer was lost: the PSP approved, we hold UNKNOWN.
    const unknown = await createOrder();
    const unknownKey = await approvedAtPsp(unknown.orderId, unknown.amount);
    const unknownExecuting = await executing(unknown.orderId, unknownKey, unknown.amount);
    const dueLater = new Date(Date.now() + DAY_MS).toISOString();
    await saved(unknownExecuting, markUnknown(unknownExecuting, { at: new Date().toISOString() }), dueLater);

    // Canceled in the PSP's console: we still hold the whole amount.
    const canceledAtPsp = await confirmedOverHttp();
    await atPsp(`/v1/payments/${canceledAtPsp.paymentKey}/cancel`, {
      cancelReason: 'console',
      cancelAmount: 3_000,
    });

    const reconcile = reconciliationUseCase(await depsAt(nightAfter(date)));
    const first: ReconciliationResult = await reconcile(date, deadline);
    const found = await discrepancies(date);

    expect(found.get(theirsOnly)).toEqual({ cls: 'MISSING_INTERNAL', action: 'REVIEW' });
    expect(found.get(oursOnly.orderId)).toEqual({ cls: 'MISSING_AT_PSP', action: 'REVIEW' });
    expect(found.get(otherAmount.orderId)).toEqual({ cls: 'AMOUNT_MISMATCH', action: 'REVIEW' });
    expect(found.get(neverStarted.orderId)).toEqual({ cls: 'STATUS_MISMATCH', action: 'REVIEW' });
    expect(found.get(unknown.orderId)).toEqual({ cls: 'STATUS_MISMATCH', action: 'APPROVED' });
    expect(found.get(canceledAtPsp.orderId)).toEqual({ cls: 'STATUS_MISMATCH', action: 'CANCELED 3000' });
    expect(found.has(matched.orderId)).toBe(false);
    expect(found.has(canceledByUs.orderId)).toBe(false);
    expect(first.summary.corrections.approved).toBeGreaterThanOrEqual(1);
    expect(first.summary.corrections.canceled).toBeGreaterThanOrEqual(1);

    // The corrections are ordinary transitions: their events reach the wallet and the ledger.
    expect(await stored(unknown.orderId)).toMatchObject({ status: 'SUCCESS', paymentKey: unknownKey });
    expect(await stored(canceledAtPsp.orderId)).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 7_000,
    });
    await waitUntilSettled(unknown.orderId);
    await waitUntilSettled(canceledAtPsp.orderId);
    expect(
      (await getPayment(canceledAtPsp.orderId)).json.events.map((e: { type: string }) => e.type),
    ).toEqual(['PaymentConfirmed', 'PaymentCanceled']);

    const summaryItem = await documentClient(client).send(
      new GetCommand({ TableName: 'payments', Key: summaryKey(date), ConsistentRead: true }),
    );
    expect(summaryItem.Item).toMatchObject(first.summary);

    const before = await Promise.all([unknown.orderId, canceledAtPsp.orderId].map(stored));
    const second = await reconcile(date, deadline);
    const after = await Promise.all([unknown.orderId, canceledAtPsp.orderId].map(stored));
    expect(second.summary.corrections).toEqual({ approved: 0, canceled: 0 });
    expect(second.summary.counts).toEqual(first.summary.counts);
    expect(after).toEqual(before);
    const refound = await discrepancies(date);
    expect(refound.has(unknown.orderId)).toBe(false);
    expect(refound.has(canceledAtPsp.orderId)).toBe(false);
    expect(refound.get(theirsOnly)).toEqual({ cls: 'MISSING_INTERNAL', action: 'REVIEW' });
    expect(
      (await documentClient(client).send(new GetCommand({ TableName: 'payments', Key: summaryKey(date) })))
        .Item,
    ).toMatchObject(second.summary);
  }, 120_000);

  it('a manual reconcile of today is a dry run; the scheduled run still corrects a console refund of that day', async () => {
    await awayFromSeoulMidnight();
    const date = seoulDay(new Date());
    const order = await confirmedOverHttp();

    // An operator reconciles today while it is open: nothing is stored, nothing corrected.
    await sim.settlements({ asOf: null });
    const manual = await reconciliationUseCase(reconciliationDeps(telemetry(), client))(date, deadline);
    expect(manual).toMatchObject({ summary: { date, dryRun: true }, reports: [] });

    // Later that day a refund is made in the PSP's console; no webhook tells us.
    await atPsp(`/v1/payments/${order.paymentKey}/cancel`, { cancelReason: 'console', cancelAmount: 2_000 });

    // The night's run closes the day (caught up, or re-checked when already closed) and corrects it.
    const results = await scheduledReconciliationUseCase(await depsAt(nightAfter(date)))(
      nightAfter(date),
      deadline,
    );
    const today = results.find((r) => r.summary.date === date);
    expect(today?.summary).toMatchObject({ dryRun: false });
    expect(today?.summary.discrepancies).toBeGreaterThanOrEqual(1);
    expect((await discrepancies(date)).get(order.orderId)).toEqual({
      cls: 'STATUS_MISMATCH',
      action: 'CANCELED 2000',
    });
    const after = await stored(order.orderId);
    expect(after.balanceAmount).toBe(after.amount - 2_000);
  }, 120_000);

  it('a settlement page slower than every payment-call limit does not fail the run; fees reach the ledger once', async () => {
    await awayFromSeoulMidnight();
    const date = seoulDay(new Date());
    await confirmedOverHttp();
    // Payment calls give up after 3 s; the settlement pages have their own limits (60 s and more).
    const saved = { ...process.env };
    Object.assign(process.env, { PSP_REQUEST_TIMEOUT_MS: '2000', PSP_RETRY_BUDGET_MS: '3000' });
    try {
      const deps = await depsAt(nightAfter(date));
      await sim.settlements({ pageDelayMs: 4_000 });
      const first = await reconciliationUseCase(deps)(date, deadline);
      const second = await reconciliationUseCase(deps)(date, deadline);
      expect(first.summary.dryRun).toBe(false);
      expect(first.summary.psp.kept).toBeGreaterThan(0);
      expect(first.summary.ledgerFees.recorded).toBe(first.summary.psp.kept);
      expect(second.summary.ledgerFees).toEqual({ recorded: first.summary.psp.kept, added: 0 });
      const ledger = await deps.ledger.feesRecorded({ date, dateType: 'soldDate' });
      expect(ledger.amount).toBe(first.summary.psp.kept);
    } finally {
      process.env = saved;
      await sim.settlements({ pageDelayMs: 0 });
    }
  }, 120_000);
});
