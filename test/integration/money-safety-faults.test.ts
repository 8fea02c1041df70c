/**
 * Money safety (issue 9) under faults, with the use cases composed in-process on this file's own
 * payments table in DynamoDB Local and the real PSP simulator: a crash between the PSP's cancel and
 * our record, reconciliation racing a client retry, a PSP outage longer than the exhaustion window,
 * a confirm whose first request died, and a FAILURE the PSP shows approved.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import type { TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { cancelUseCase } from '../../lambdas/application/cancel';
import { confirmUseCase } from '../../lambdas/application/confirm';
import { reconcileOrder } from '../../lambdas/application/reconcile-order';
import { recoveryRunUseCase } from '../../lambdas/application/recovery';
import { syncOrderUseCase } from '../../lambdas/application/sync-order';
import { createPayment, decline, markUnknown, type Payment } from '../../lambdas/domain/payment';
import type { SaveOptions } from '../../lambdas/ports/payment-store';
import type { Deadline } from '../../lambdas/ports/psp';
import { documentClient } from '../../lambdas/shared/composition';
import { items, unique } from '../support/events';
import { localPrincipalArn, sim } from '../support/http-client';
import { ownPaymentsTable, simGateway } from '../support/own-payments-table';

const OWNER = localPrincipalArn();
const CALLER = { principal: OWNER, operator: false };

jest.setTimeout(60_000);

const SETTINGS = { executingStaleAfterMs: 60_000, unknownFirstCheckAfterMs: 30_000 };
const DEADLINE: Deadline = { remainingMs: () => 20_000 };
const LATER = () => new Date(Date.now() + 5 * 60_000);
/** Kill-after-PSP-cancel repetitions (the issue saw 5 of 5 stay SUCCESS internally). */
const CRASH_RUNS = 5;

const own = ownPaymentsTable('money');
let dynamo: DynamoDBClient;
let store: DynamoDbPaymentStore;
let psp: TossPaymentGateway;
let tableName: string;
beforeAll(() => {
  ({ dynamo, store, psp, tableName } = own);
});

const gateway = (baseUrl: string) => simGateway(baseUrl);

/** The store dying right before it records a cancel the PSP made, as a killed Lambda would. */
class DiesBeforeCancelRecord extends DynamoDbPaymentStore {
  override async save(previous: Payment, next: Payment, options?: SaveOptions): Promise<boolean> {
    if (options?.event?.type === 'PaymentCanceled')
      throw new Error('injected crash: killed after the PSP cancel');
    return super.save(previous, next, options);
  }
}

async function newOrder(): Promise<Payment> {
  const created = createPayment({
    orderId: unique('money'),
    owner: OWNER,
    buyerId: 'buyer-1',
    orderName: 'Two books',
    currency: 'KRW',
    items: items([unique('seller-a'), 7_000], [unique('seller-b'), 3_000]),
    createdAt: new Date().toISOString(),
  });
  if (!created.ok) throw new Error(created.reason);
  expect(await store.create(created.payment, 'fingerprint')).toEqual({ created: true });
  return created.payment;
}

async function confirmedOrder(): Promise<Payment> {
  const { orderId, amount } = await newOrder();
  const paymentKey = await sim.session(orderId, amount);
  const confirm = confirmUseCase({ store, psp, clock: () => new Date(), settings: SETTINGS });
  expect((await confirm({ orderId, paymentKey, amount, owner: OWNER }, DEADLINE)).statusCode).toBe(200);
  return (await store.get(orderId)) as Payment;
}

/** The PSP approved the order, while our confirm of it has only begun (EXECUTING, due now). */
async function approvedAtPspOnly() {
  const payment = await newOrder();
  const paymentKey = await sim.session(payment.orderId, payment.amount);
  const confirmed = await psp.confirm(
    { orderId: payment.orderId, paymentKey, amount: payment.amount },
    DEADLINE,
  );
  expect(confirmed.kind).toBe('approved');
  const now = new Date().toISOString();
  const begun = await store.beginExecution({
    ...payment,
    owner: OWNER,
    paymentKey,
    at: now,
    recoveryDueAt: now,
  });
  if (!begun.ok) throw new Error('not begun');
  return { payment, paymentKey, begun };
}

async function eventTypes(orderId: string): Promise<string[]> {
  const answer = await documentClient(dynamo).send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
      ExpressionAttributeValues: { ':pk': `PAYMENT#${orderId}`, ':event': 'EVENT#' },
      ConsistentRead: true,
    }),
  );
  return (answer.Items ?? []).map((item) => String(item.type));
}

function recovery(clock: () => Date, gw = psp, maxAttempts = 10) {
  return recoveryRunUseCase({
    store,
    psp: gw,
    clock,
    random: () => 0.5,
    policy: { baseDelayMs: 1_000, maxDelayMs: 4_000, maxAttempts },
    leaseMs: 15_000,
    owner: unique('run'),
  });
}

describe('a crash between the PSP cancel and our record', () => {
  it(`recovery settles it with no client action (${CRASH_RUNS} payments)`, async () => {
    const crashing = new DiesBeforeCancelRecord(documentClient(dynamo), tableName);
    const cancel = cancelUseCase({ store: crashing, psp, clock: () => new Date(), settings: SETTINGS });
    const orders: string[] = [];
    for (let i = 0; i < CRASH_RUNS; i++) {
      const { orderId } = await confirmedOrder();
      orders.push(orderId);
      const command = {
        orderId,
        caller: CALLER,
        idempotencyKey: unique('k'),
        cancelReason: 'returned',
        cancelAmount: 2_500,
      };
      await expect(cancel(command, DEADLINE)).rejects.toThrow(/injected crash/);
      expect((await sim.truth(orderId)).balanceAmount).toBe(7_500);
      // The intent survived the crash: it is what recovery finishes.
      expect(await store.get(orderId)).toMatchObject({
        status: 'SUCCESS',
        pendingCancels: [expect.objectContaining({ amount: 2_500 })],
      });
    }

    const report = await recovery(LATER)(DEADLINE, 50);

    expect(report.outcomes.canceled).toBe(CRASH_RUNS);
    for (const orderId of orders) {
      const payment = await store.get(orderId);
      expect(payment).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 7_500, pendingCancels: [] });
      expect(payment?.cancels).toEqual([expect.objectContaining({ amount: 2_500 })]);
      expect(await eventTypes(orderId)).toEqual(['PaymentConfirmed', 'PaymentCanceled']);
      expect((await sim.truth(orderId)).cancelCalls).toBe(2);
    }
    // Nothing left for recovery: a second run examines none of them.
    expect((await recovery(LATER)(DEADLINE, 50)).outcomes.canceled).toBe(0);
  });

  it('reconciliation records it first, then the client retries: applied once', async () => {
    const crashing = new DiesBeforeCancelRecord(documentClient(dynamo), tableName);
    const { orderId, amount, paymentKey } = await confirmedOrder();
    const command = {
      orderId,
      caller: CALLER,
      idempotencyKey: unique('k'),
      cancelReason: 'returned',
      cancelAmount: 3_000,
    };
    await expect(
      cancelUseCase({ store: crashing, psp, clock: () => new Date(), settings: SETTINGS })(command, DEADLINE),
    ).rejects.toThrow(/injected crash/);

    const outcome = await reconcileOrder(
      { psp, payments: store, clock: () => new Date() },
      {
        orderId,
        psp: { orderId, paymentKey: paymentKey ?? '', approved: amount, canceled: 3_000, fee: 0, payOut: 0 },
        internal: await store.get(orderId),
      },
      DEADLINE,
      { dryRun: false },
    );
    expect(outcome).toMatchObject({ found: 'STATUS_MISMATCH', final: 'MATCHED' });
    expect(outcome.applied).toEqual([expect.objectContaining({ kind: 'cancel', cancelAmount: 3_000 })]);

    const retry = await cancelUseCase({ store, psp, clock: () => new Date(), settings: SETTINGS })(
      command,
      DEADLINE,
    );
    expect(retry.statusCode).toBe(200);
    expect(JSON.parse(retry.body)).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 7_000 });
    expect(await store.get(orderId)).toMatchObject({ balanceAmount: 7_000, pendingCancels: [] });
    expect((await sim.truth(orderId)).balanceAmount).toBe(7_000);
    expect(await eventTypes(orderId)).toEqual(['PaymentConfirmed', 'PaymentCanceled']);
  });
});

describe('recovery while the PSP cannot be asked', () => {
  it('a PSP outage longer than the exhaustion window keeps the payment UNKNOWN (stalled, alarmed); the PSP’s answer then settles it', async () => {
    const { payment, paymentKey, begun } = await approvedAtPspOnly();
    const unknown = markUnknown(begun.payment, { at: new Date().toISOString() });
    if (!unknown.ok) throw new Error(unknown.reason);
    expect(
      await store.save(begun.payment, unknown.payment, { recoveryDueAt: new Date().toISOString() }),
    ).toBe(true);

    // Nothing listens here: every look fails to reach the PSP.
    const down = gateway('http://127.0.0.1:9');
    const maxAttempts = 3;
    const outcomes: string[] = [];
    let now = Date.now();
    for (let look = 0; look < maxAttempts * 3; look++) {
      now += 10_000;
      const at = now;
      const report = await recovery(() => new Date(at), down, maxAttempts)(DEADLINE, 50);
      outcomes.push(...Object.entries(report.outcomes).flatMap(([o, n]) => Array(n).fill(o)));
    }
    expect(outcomes.filter((o) => o !== 'rescheduled')).toEqual(
      Array(maxAttempts * 3 - (maxAttempts - 1)).fill('stalled'),
    );
    expect(await store.get(payment.orderId)).toMatchObject({ status: 'UNKNOWN' });

    now += 10_000;
    const at = now;
    expect((await recovery(() => new Date(at), psp, maxAttempts)(DEADLINE, 50)).outcomes.approved).toBe(1);
    expect(await store.get(payment.orderId)).toMatchObject({ status: 'SUCCESS', paymentKey });
  });
});

describe('same-key confirm takeover', () => {
  it('a confirm finding the payment EXECUTING past the first request’s timeout takes it over at once', async () => {
    const payment = await newOrder();
    const paymentKey = await sim.session(payment.orderId, payment.amount);
    const command = { orderId: payment.orderId, paymentKey, amount: payment.amount, owner: OWNER };
    // The first request began 2 minutes ago and died before it called the PSP.
    const started = Date.now() - 120_000;
    const begun = await store.beginExecution({
      ...command,
      at: new Date(started).toISOString(),
      recoveryDueAt: new Date(started + SETTINGS.executingStaleAfterMs).toISOString(),
    });
    expect(begun.ok).toBe(true);

    const confirm = confirmUseCase({ store, psp, clock: () => new Date(), settings: SETTINGS });
    const other = await confirm({ ...command, paymentKey: 'tsim_another_key' }, DEADLINE).catch(
      (e) => e.outcome,
    );
    expect(other.statusCode).toBe(409);
    const answer = await confirm(command, DEADLINE);
    expect(answer.statusCode).toBe(200);
    expect(await store.get(payment.orderId)).toMatchObject({ status: 'SUCCESS', paymentKey });
    expect((await sim.truth(payment.orderId)).confirmCalls).toBe(1);
  });

  it('not yet past its due time, the same key still answers 409 (the first request may be alive)', async () => {
    const payment = await newOrder();
    const paymentKey = await sim.session(payment.orderId, payment.amount);
    const command = { orderId: payment.orderId, paymentKey, amount: payment.amount, owner: OWNER };
    await store.beginExecution({
      ...command,
      at: new Date().toISOString(),
      recoveryDueAt: new Date(Date.now() + SETTINGS.executingStaleAfterMs).toISOString(),
    });
    const confirm = confirmUseCase({ store, psp, clock: () => new Date(), settings: SETTINGS });
    const answer = await confirm(command, DEADLINE).catch((e) => e.outcome);
    expect(answer.statusCode).toBe(409);
    expect((await sim.truth(payment.orderId)).confirmCalls).toBe(0);
  });
});

describe('the PSP outranks a FAILURE we recorded', () => {
  it('a payment we hold as FAILURE that the PSP shows approved becomes SUCCESS, with its event', async () => {
    const { payment, paymentKey, begun } = await approvedAtPspOnly();
    const failed = decline(begun.payment, {
      at: new Date().toISOString(),
      code: 'WRONGLY',
      message: 'lost answer',
    });
    if (!failed.ok) throw new Error(failed.reason);
    expect(await store.save(begun.payment, failed.payment, { event: failed.event })).toBe(true);

    const sync = syncOrderUseCase({
      store,
      psp,
      clock: () => new Date(),
      leaseMs: 15_000,
      coalesceMs: 200,
      owner: 'webhook',
    });
    expect(await sync(payment.orderId, DEADLINE)).toBe('updated');
    const corrected = await store.get(payment.orderId);
    expect(corrected).toMatchObject({ status: 'SUCCESS', paymentKey });
    expect(corrected?.failure).toBeUndefined();
    expect(await eventTypes(payment.orderId)).toEqual(['PaymentFailed', 'PaymentConfirmed']);
    // A repeat of the same hint (it waits out the coalescing window, then looks) finds nothing to do.
    expect(await sync(payment.orderId, DEADLINE)).toBe('unchanged');
    expect(await sync(unique('no-such-order'), DEADLINE)).toBe('skipped');
  });
});
