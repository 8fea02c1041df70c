import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { confirmUseCase } from '../../lambdas/application/confirm';
import { recoveryRunUseCase } from '../../lambdas/application/recovery';
import { syncOrderUseCase, WEBHOOK_COALESCE_MS } from '../../lambdas/application/sync-order';
import { createPayment, type Payment, requestCancel } from '../../lambdas/domain/payment';
import type { Deadline, PaymentGateway, PspLookup } from '../../lambdas/ports/psp';
import { documentClient } from '../../lambdas/shared/composition';
import { eventually, items, unique } from '../support/events';
import {
  api,
  checkoutBody,
  createOrder,
  getPayment,
  localPrincipalArn,
  postConfirm,
  request,
  sim,
} from '../support/http-client';
import { ownPaymentsTable, SIM_PSP_AUTH } from '../support/own-payments-table';

jest.setTimeout(90_000);

const OWNER = localPrincipalArn();
const DEADLINE: Deadline = { remainingMs: () => 20_000 };
const SETTINGS = { executingStaleAfterMs: 60_000, unknownFirstCheckAfterMs: 30_000 };
/** Repetitions of the lease-gap race: it must hold every time, not by luck. */
const RACE_RUNS = 5;
/** How long the PSP holds recovery's cancel, so the console cancel lands meanwhile. */
const SLOW_CANCEL_MS = 1_500;

const own = ownPaymentsTable('hints', { requestTimeoutMs: 4_000, retryBudgetMs: 6_000 });

/** A payment confirmed at the PSP and recorded SUCCESS here, on this file's table. */
async function confirmedPayment(): Promise<Payment & { paymentKey: string }> {
  const created = createPayment({
    orderId: unique('hint'),
    owner: OWNER,
    buyerId: 'buyer-1',
    orderName: 'Two books',
    currency: 'KRW',
    items: items([unique('seller-a'), 6_000], [unique('seller-b'), 4_000]),
    createdAt: new Date().toISOString(),
  });
  if (!created.ok) throw new Error(created.reason);
  const { orderId, amount } = created.payment;
  expect(await own.store.create(created.payment, 'fingerprint')).toEqual({ created: true });
  const paymentKey = await sim.session(orderId, amount);
  const confirm = confirmUseCase({
    store: own.store,
    psp: own.psp,
    clock: () => new Date(),
    settings: SETTINGS,
  });
  expect((await confirm({ orderId, paymentKey, amount, owner: OWNER }, DEADLINE)).statusCode).toBe(200);
  return { ...((await own.store.get(orderId)) as Payment), paymentKey };
}

/** A cancel made in the PSP's console: not through us, with its own key. */
async function consoleCancel(paymentKey: string, cancelAmount?: number): Promise<void> {
  const answer = await request(sim.url(), 'POST', `/v1/payments/${paymentKey}/cancel`, {
    body: { cancelReason: 'console', ...(cancelAmount === undefined ? {} : { cancelAmount }) },
    headers: { Authorization: SIM_PSP_AUTH, 'Idempotency-Key': unique('console') },
  });
  if (answer.status !== 200) throw new Error(`console cancel refused: ${answer.status} ${answer.text}`);
}

async function paymentItem(orderId: string): Promise<Record<string, unknown>> {
  const { Item } = await documentClient(own.dynamo).send(
    new GetCommand({
      TableName: own.tableName,
      Key: { pk: `PAYMENT#${orderId}`, sk: '#PAYMENT' },
      ConsistentRead: true,
    }),
  );
  if (!Item) throw new Error(`no payment ${orderId}`);
  return Item;
}

function recovery(clock: () => Date = () => new Date()) {
  return recoveryRunUseCase({
    store: own.store,
    psp: own.psp,
    clock,
    random: () => 0.5,
    leaseMs: 15_000,
    owner: unique('recovery'),
  });
}

/** Our balance and the PSP's agree, nothing is pending, and nothing is left for recovery. */
async function expectAgreed(orderId: string): Promise<void> {
  const truth = await sim.truth(orderId);
  const item = await paymentItem(orderId);
  expect(item.balanceAmount).toBe(truth.balanceAmount);
  expect(item.pendingCancels ?? []).toEqual([]);
  for (const attribute of ['recoveryDueAt', 'hintedAt', 'leaseOwner'])
    expect(item).not.toHaveProperty(attribute);
}

describe('the lease gap: a console cancel races recovery’s own cancel', () => {
  it(`recovery's cancel is declined, the console cancel is recorded, balances agree (${RACE_RUNS}×)`, async () => {
    for (let run = 0; run < RACE_RUNS; run++) {
      const payment = await confirmedPayment();
      const { orderId, paymentKey } = payment;
      // A cancel of 4,000 whose request died after saving its intent: recovery owns it now.
      const asked = requestCancel(payment, {
        requestKey: `cancel-${orderId}-${unique('k')}`,
        cancelAmount: 4_000,
        cancelReason: 'returned',
        at: new Date().toISOString(),
      });
      if (!asked.ok || asked.kind !== 'pending') throw new Error('intent refused');
      const due = new Date(Date.now() - 1_000).toISOString();
      expect(await own.store.save(payment, asked.payment, { recoveryDueAt: due })).toBe(true);
      await sim.scenario(orderId, [`latency:${SLOW_CANCEL_MS}`]);

      const running = recovery()(DEADLINE, 10);
      // Recovery's cancel reached the PSP and is held there; the console takes the balance meanwhile
      // (all of it on even runs, 8,000 on odd ones), so recovery's cancel is then declined.
      await eventually(
        () => sim.truth(orderId),
        (truth) => truth.cancelCalls === 1,
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      await consoleCancel(paymentKey, run % 2 === 0 ? undefined : 8_000);
      const report = await running;

      expect(report.outcomes.canceled).toBe(1);
      const truth = await sim.truth(orderId);
      expect(truth).toMatchObject({ balanceAmount: run % 2 === 0 ? 0 : 2_000, cancelCalls: 2 });
      await expectAgreed(orderId);
      expect(await own.store.get(orderId)).toMatchObject({
        status: run % 2 === 0 ? 'CANCELED' : 'PARTIAL_CANCELED',
        cancels: [expect.objectContaining({ amount: run % 2 === 0 ? 10_000 : 8_000 })],
      });
    }
  });
});

/** A PSP whose look-ups answer only when the test lets them (a slow PSP), counting them. */
class GatedPsp implements Pick<PaymentGateway, 'findByOrderId'> {
  lookups = 0;
  private release: () => void = () => {};
  private readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  /** Resolves once a look-up has read the PSP and waits at the gate. */
  readonly waiting: Promise<void>;
  private arrived: () => void = () => {};

  constructor(private readonly inner: PaymentGateway) {
    this.waiting = new Promise<void>((resolve) => {
      this.arrived = resolve;
    });
  }

  async findByOrderId(orderId: string, deadline: Deadline): Promise<PspLookup> {
    this.lookups += 1;
    const answer = await this.inner.findByOrderId(orderId, deadline);
    this.arrived();
    await this.opened;
    return answer;
  }

  open(): void {
    this.release();
  }
}

describe('a webhook during a look', () => {
  it('is recorded as a hint without asking the PSP; the look leaves the payment due and recovery records the change', async () => {
    const { orderId, paymentKey } = await confirmedPayment();
    const slow = new GatedPsp(own.psp);
    const webhookLook = (gateway: Pick<PaymentGateway, 'findByOrderId'>, owner: string) =>
      syncOrderUseCase({
        store: own.store,
        psp: gateway,
        clock: () => new Date(),
        leaseMs: 15_000,
        coalesceMs: 0,
        owner,
      });

    // Look A read the PSP before the console cancel; its answer is still on the way.
    const lookA = webhookLook(slow, 'look-a')(orderId, DEADLINE);
    await slow.waiting;
    await consoleCancel(paymentKey, 3_000);
    // The console cancel's webhook finds A's lease: a hint, no PSP call of its own.
    const counted = new GatedPsp(own.psp);
    counted.open();
    expect(await webhookLook(counted, 'look-b')(orderId, DEADLINE)).toBe('coalesced');
    expect(counted.lookups).toBe(0);
    slow.open();
    expect(await lookA).toBe('unchanged');

    // A's view predates the cancel; the hint keeps the payment due instead of being lost.
    const hinted = await paymentItem(orderId);
    expect(hinted).toMatchObject({ balanceAmount: 10_000, hintedAt: expect.any(String) });
    expect(hinted.recoveryDueAt).toEqual(expect.any(String));
    expect(hinted).not.toHaveProperty('leaseOwner');

    const report = await recovery(() => new Date(Date.now() + 60_000))(DEADLINE, 10);
    expect(report.outcomes.looked).toBe(1);
    expect(await own.store.get(orderId)).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 7_000 });
    await expectAgreed(orderId);
  });

  it('a look that could not read the PSP keeps an earlier hint', async () => {
    const { orderId } = await confirmedPayment();
    await own.store.recordHint(orderId, {
      at: new Date().toISOString(),
      dueAt: new Date(Date.now() + 5_000).toISOString(),
    });
    const unreachable: Pick<PaymentGateway, 'findByOrderId'> = {
      findByOrderId: async () => ({ kind: 'unknown', code: 'TIMEOUT', message: 'no answer' }),
    };
    const look = syncOrderUseCase({
      store: own.store,
      psp: unreachable,
      clock: () => new Date(Date.now() + 10_000),
      leaseMs: 15_000,
      coalesceMs: 5_000,
      owner: 'look-unreachable',
    });
    expect(await look(orderId, DEADLINE)).toBe('unreachable');
    expect(await paymentItem(orderId)).toMatchObject({
      hintedAt: expect.any(String),
      recoveryDueAt: expect.any(String),
    });
    // Recovery, which can read the PSP, settles it: nothing changed, nothing left.
    expect((await recovery(() => new Date(Date.now() + 60_000))(DEADLINE, 10)).outcomes.looked).toBe(1);
    await expectAgreed(orderId);
  });
});

describe('webhook cost per order', () => {
  it('100 webhooks for one order make one PSP look-up per coalescing window (plus one), all answered 200', async () => {
    const { orderId, amount } = await createOrder(checkoutBody());
    const paymentKey = await sim.session(orderId, amount);
    expect((await postConfirm({ orderId, paymentKey, amount })).status).toBe(200);
    // The PSP's own webhook for the approval has been looked at (or coalesced) by now.
    await eventually(
      () => sim.truth(orderId),
      (truth) => truth.lookupCalls >= 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const before = (await sim.truth(orderId)).lookupCalls;

    const body = {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: new Date().toISOString(),
      data: { orderId, status: 'DONE' },
    };
    const startedAt = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => api('POST', '/webhooks/toss', { body, as: 'anonymous' })),
    );
    const statuses = answers.map((a) => a.status);

    expect(statuses).toEqual(Array(100).fill(200));
    // The window's waiting hint may still be looking: its answer is in `statuses`, so it is done.
    const windows = Math.ceil((Date.now() - startedAt) / WEBHOOK_COALESCE_MS);
    const made = (await sim.truth(orderId)).lookupCalls - before;
    console.log(`100 webhooks for one order over ${windows} window(s): ${made} PSP look-up(s)`);
    expect(made).toBeGreaterThanOrEqual(1);
    expect(made).toBeLessThanOrEqual(windows + 1);
    expect((await getPayment(orderId)).json).toMatchObject({ status: 'SUCCESS', balanceAmount: amount });
  });
});
