/**
 * Virtual-account (가상계좌) payments end to end on the local stack (DynamoDB Local, local SQS, the
 * PSP simulator): the confirm issues an account (AWAITING_DEPOSIT with its due date, no money moved),
 * the PSP's DEPOSIT_CALLBACK (Toss's flat body) makes it SUCCESS with the wallet and ledger applied, a
 * forged callback changes nothing, a deposit the bank takes back is reversed, the due date passing
 * fails it (recovery, composed in process on the same table), and a refund needs the buyer's account.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PAYMENT_SK, paymentPk } from '../../lambdas/adapters/dynamodb/keys';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { recoveryRunUseCase } from '../../lambdas/application/recovery';
import { documentClient } from '../../lambdas/shared/composition';
import { eventually } from '../support/events';
import {
  api,
  apiUrl,
  createOrder,
  expectProblem,
  getPayment,
  type HttpAnswer,
  newKey,
  postCancel,
  postConfirm,
  request,
  sim,
} from '../support/http-client';
import { SIM_PSP_AUTH, SIM_SECRET_KEY } from '../support/own-payments-table';

jest.setTimeout(60_000);

const REFUND_ACCOUNT = { bank: '20', accountNumber: '1002123456789', holderName: '김토스' };

// Only the flat DEPOSIT_CALLBACK reaches the stack: no PAYMENT_STATUS_CHANGED settles these payments.
beforeAll(async () => {
  await sim.webhooksOff();
  await sim.webhooksOn(['DEPOSIT_CALLBACK']);
});
afterAll(async () => {
  await sim.webhooksOff();
  await sim.webhooksOn();
});

async function awaitingDeposit(): Promise<{ orderId: string; amount: number; paymentKey: string }> {
  const { orderId, amount } = await createOrder();
  const paymentKey = await sim.virtualAccountSession(orderId, amount);
  const confirmed = await postConfirm({ paymentKey, orderId, amount });
  expect(confirmed.status).toBe(200);
  expect(confirmed.json).toEqual({
    orderId,
    status: 'AWAITING_DEPOSIT',
    paymentKey,
    amount,
    virtualAccount: {
      bankCode: '20',
      accountNumber: expect.stringMatching(/^X\d{13}$/),
      customerName: '김토스',
      dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/),
    },
  });
  return { orderId, amount, paymentKey };
}

async function walletBalance(sellerId: string): Promise<number> {
  const answer = await api('GET', `/sellers/${encodeURIComponent(sellerId)}/wallet`, { as: 'operator' });
  return answer.status === 200 ? (answer.json.balance as number) : 0;
}

async function wallets(): Promise<[number, number]> {
  return [await walletBalance('seller-a'), await walletBalance('seller-b')];
}

/** The payment once its latest event is applied by the wallet and the ledger, with `status`. */
function settled(orderId: string, status: string): Promise<HttpAnswer> {
  return eventually(
    () => getPayment(orderId),
    (answer) => answer.json.status === status && answer.json.done === true,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

function depositCallback(orderId: string, secret: string): Promise<HttpAnswer> {
  return request(apiUrl(), 'POST', '/webhooks/toss', {
    body: {
      createdAt: '2026-12-06T21:00:00.000000',
      secret,
      status: 'DONE',
      transactionKey: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
      orderId,
    },
  });
}

/** The secret the PSP gave the payment, as a merchant reads it from the PSP's payment object. */
async function pspSecret(orderId: string): Promise<string> {
  const answer = await request(sim.url(), 'GET', `/v1/payments/orders/${orderId}`, {
    headers: { Authorization: SIM_PSP_AUTH },
  });
  return answer.json.secret as string;
}

it('is AWAITING_DEPOSIT with its due date and no money moved, then SUCCESS on its deposit callback with wallet and ledger applied', async () => {
  const before = await wallets();
  const { orderId, amount, paymentKey } = await awaitingDeposit();

  const waiting = await getPayment(orderId);
  expect(waiting.json).toMatchObject({
    status: 'AWAITING_DEPOSIT',
    virtualAccount: { dueDate: expect.any(String), accountNumber: expect.any(String) },
    events: [],
    done: false,
  });
  // The callback secret is the PSP's and ours to check, never the API's to show.
  expect(waiting.text).not.toContain(await pspSecret(orderId));
  expect(await wallets()).toEqual(before);
  // A retry of the confirm answers the same, and is not stored: after the deposit it answers SUCCESS.
  expect((await postConfirm({ paymentKey, orderId, amount })).json.status).toBe('AWAITING_DEPOSIT');

  await sim.account(orderId, 'deposit');

  const paid = await settled(orderId, 'SUCCESS');
  expect(paid.json).toMatchObject({ status: 'SUCCESS', done: true, approvedAt: expect.any(String) });
  expect(paid.json.events.map((e: { type: string }) => e.type)).toEqual(['PaymentConfirmed']);
  expect(await wallets()).toEqual([before[0] + 7_000, before[1] + 3_000]);
  const retried = await postConfirm({ paymentKey, orderId, amount });
  expect(retried.json).toMatchObject({ status: 'SUCCESS', paymentKey, amount });
});

it('a forged DEPOSIT_CALLBACK for an order the PSP shows as not deposited changes nothing', async () => {
  const { orderId } = await awaitingDeposit();
  const before = await getPayment(orderId);

  // A wrong secret is not the PSP's; the right one (leaked, say) still only makes us ask the PSP.
  for (const secret of ['ps_forged', await pspSecret(orderId)]) {
    const answer = await depositCallback(orderId, secret);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ received: true });
  }

  const after = await getPayment(orderId);
  expect(after.json).toEqual(before.json);
  expect((await sim.truth(orderId)).status).toBe('WAITING_FOR_DEPOSIT');
});

it('a malformed deposit callback is a 400 problem, and changes nothing', async () => {
  const { orderId } = await awaitingDeposit();
  const answer = await request(apiUrl(), 'POST', '/webhooks/toss', { body: { orderId, status: 'DONE' } });
  expectProblem(answer, 400, 'INVALID_WEBHOOK');
  expect((await getPayment(orderId)).json.status).toBe('AWAITING_DEPOSIT');
});

it("CANCEL_STATUS_CHANGED in Toss's shape (data: a Cancel object, no orderId) is acknowledged and looks nothing up", async () => {
  const answer = await request(apiUrl(), 'POST', '/webhooks/toss', {
    body: {
      eventType: 'CANCEL_STATUS_CHANGED',
      createdAt: '2026-12-06T21:00:00.000000',
      data: {
        transactionKey: 'B7103F204998813B889C77C043D09502',
        cancelReason: 'overseas easy-pay refund',
        cancelAmount: 10_000,
        canceledAt: '2026-12-06T21:00:00+09:00',
        cancelStatus: 'DONE',
        cancelRequestId: null,
      },
    },
  });
  expect(answer.status).toBe(200);
  expect(answer.json).toEqual({ received: true, checked: false });
});

it('a deposit the bank takes back (DONE → WAITING_FOR_DEPOSIT) is reversed: AWAITING_DEPOSIT, wallets back; the next deposit pays it', async () => {
  const before = await wallets();
  const { orderId } = await awaitingDeposit();
  await sim.account(orderId, 'deposit');
  await settled(orderId, 'SUCCESS');

  await sim.account(orderId, 'deposit-error');

  const reversed = await settled(orderId, 'AWAITING_DEPOSIT');
  expect(reversed.json.events.map((e: { type: string }) => e.type)).toEqual([
    'PaymentConfirmed',
    'PaymentDepositReversed',
  ]);
  expect(reversed.json.approvedAt).toBeUndefined();
  expect(await wallets()).toEqual(before);

  await sim.account(orderId, 'deposit');
  await settled(orderId, 'SUCCESS');
  expect(await wallets()).toEqual([before[0] + 7_000, before[1] + 3_000]);
});

/** Recovery as the handler composes it, on the stack's table, for this order only, a week later. */
async function recoverWeekLater(orderId: string) {
  const store = new DynamoDbPaymentStore(documentClient(), 'payments');
  const weekLater = new Date(Date.now() + 8 * 24 * 3_600_000);
  const recovery = recoveryRunUseCase({
    store: Object.assign(Object.create(store) as DynamoDbPaymentStore, {
      findDueForRecovery: async () => [orderId],
    }),
    psp: new TossPaymentGateway({ baseUrl: sim.url(), secretKey: async () => SIM_SECRET_KEY }),
    clock: () => weekLater,
    random: () => 0.5,
    leaseMs: 30_000,
    owner: 'virtual-accounts-test',
  });

  return recovery({ remainingMs: () => 60_000 }, 10);
}

async function expectExpired(orderId: string): Promise<void> {
  const failed = await settled(orderId, 'FAILURE');
  expect(failed.json).toMatchObject({ status: 'FAILURE', failure: { code: 'EXPIRED' } });
  expect(failed.json.events.map((e: { type: string }) => e.type)).toEqual(['PaymentFailed']);
}

it('past its due date an unpaid account fails with EXPIRED when recovery looks (no webhook comes)', async () => {
  // Not even the account's issue callback: any look after the expiry would fail it first.
  await sim.webhooksOff();
  const { orderId } = await awaitingDeposit().finally(() => sim.webhooksOn(['DEPOSIT_CALLBACK']));
  await sim.account(orderId, 'expire');
  // At the account's default validity (a week), when its recovery entry is due.
  expect((await recoverWeekLater(orderId)).outcomes).toMatchObject({ failed: 1 });
  await expectExpired(orderId);
});

it('a webhook look that finds the account still waiting leaves it due for recovery at its due date', async () => {
  const { orderId } = await awaitingDeposit();
  // The DEPOSIT_CALLBACK makes the webhook route look, and end its look, while it waits.
  await eventually(
    () => sim.truth(orderId),
    (truth) => truth.lookupCalls >= 1,
  );
  const item = await eventually(
    async () =>
      (
        await documentClient().send(
          new GetCommand({
            TableName: 'payments',
            Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
            ConsistentRead: true,
          }),
        )
      ).Item ?? {},
    (found) => found.lookedAt !== undefined && found.leaseOwner === undefined,
  );
  expect(item).toMatchObject({ status: 'AWAITING_DEPOSIT', recoveryDueAt: expect.any(String) });
  await sim.account(orderId, 'expire');
  expect((await recoverWeekLater(orderId)).outcomes).toMatchObject({ failed: 1 });
  await expectExpired(orderId);
});

it('a deposited payment is refunded only to the account the shop names, and that account reaches the PSP', async () => {
  const { orderId } = await awaitingDeposit();
  await sim.account(orderId, 'deposit');
  const paid = await settled(orderId, 'SUCCESS');

  const withoutAccount = await postCancel(orderId, newKey('cancel'), { cancelReason: 'returned' });
  expectProblem(withoutAccount, 400, 'REFUND_ACCOUNT_REQUIRED');
  const malformed = await postCancel(orderId, newKey('cancel'), {
    cancelReason: 'returned',
    refundReceiveAccount: { ...REFUND_ACCOUNT, accountNumber: '1002-123-456789' },
  });
  expectProblem(malformed, 400);
  expect((await getPayment(orderId)).json).toEqual(paid.json);
  expect((await sim.truth(orderId)).cancelCalls).toBe(0);

  const canceled = await postCancel(orderId, newKey('cancel'), {
    cancelReason: 'returned',
    refundReceiveAccount: REFUND_ACCOUNT,
  });
  expect(canceled.status).toBe(200);
  expect(canceled.json).toMatchObject({ orderId, status: 'CANCELED', balanceAmount: 0 });
  const truth = await sim.truth(orderId);
  expect(truth.status).toBe('CANCELED');
  expect(truth.virtualAccount?.refundReceiveAccount).toEqual(REFUND_ACCOUNT);
});
