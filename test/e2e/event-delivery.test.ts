/**
 * Event delivery end to end (DESIGN §6, §7), over HTTP only: a confirmed payment for two sellers
 * reaches both wallets and the double-entry ledger through the outbox, the FIFO queues and the
 * consumers, and the payment reports `walletSettled`, `ledgerRecorded`, `done`. A partial cancel
 * then takes back each seller's proportional share (largest-remainder allocation,
 * lambdas/domain/allocation.ts) with a reversing ledger transaction.
 *
 * Needs the PSP simulator's control routes to authorise a payment, so it is registered only
 * when PSP_URL is set (the local stack).
 */
import { randomUUID } from 'node:crypto';
import {
  api,
  createOrder,
  expectProblem,
  getPayment,
  type HttpAnswer,
  newKey,
  postCancel,
  postConfirm,
  pspUrl,
  sim,
} from '../support/http-client';

/** The contract's delivery bar for these checks: poll for at most this long. */
const SETTLE_WITHIN_MS = 5_000;

interface Account {
  readonly account: string;
  readonly debits: number;
  readonly credits: number;
  readonly balance: number;
}

interface TrialBalance {
  readonly accounts: readonly Account[];
  readonly totalDebits: number;
  readonly totalCredits: number;
}

async function trialBalance(): Promise<TrialBalance> {
  const answer = await api('GET', '/ledger/trial-balance', { as: 'operator' });
  expect(answer.status).toBe(200);
  return answer.json as TrialBalance;
}

function account(tb: TrialBalance, name: string): Account {
  return tb.accounts.find((a) => a.account === name) ?? { account: name, debits: 0, credits: 0, balance: 0 };
}

async function walletBalance(sellerId: string): Promise<number | undefined> {
  const answer = await api('GET', `/sellers/${encodeURIComponent(sellerId)}/wallet`, { as: 'operator' });
  return answer.status === 200 ? (answer.json.balance as number) : undefined;
}

/** Polls until `accept` holds (or the time is up) and returns the last observation. */
async function within<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = SETTLE_WITHIN_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What this test watches: both wallets and the payment's delivery flags. */
async function observe(orderId: string, sellers: readonly [string, string]) {
  const view: HttpAnswer = await getPayment(orderId);
  return {
    wallets: [await walletBalance(sellers[0]), await walletBalance(sellers[1])],
    status: view.json?.status as string,
    walletSettled: view.json?.walletSettled as boolean,
    ledgerRecorded: view.json?.ledgerRecorded as boolean,
    done: view.json?.done as boolean,
    events: (view.json?.events ?? []).map((e: { seq: number; type: string }) => `${e.seq}:${e.type}`),
  };
}

/**
 * Waits until the shared ledger has stopped moving (events of earlier tests still in flight), so
 * the PSP clearing account's change across this test's cancel is this test's alone.
 */
async function quietLedger(): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = JSON.stringify(await trialBalance());
  let stableSince = Date.now();
  while (Date.now() - stableSince < 2_500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = JSON.stringify(await trialBalance());
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}

describe('settlement read models (any stack)', () => {
  it('GET /ledger/trial-balance answers a balanced trial balance with the contract shape', async () => {
    const tb = await trialBalance();
    expect(tb).toEqual({
      accounts: expect.any(Array),
      totalDebits: expect.any(Number),
      totalCredits: expect.any(Number),
    });
    expect(tb.totalDebits).toBe(tb.totalCredits);
    for (const a of tb.accounts) expect(a.balance).toBe(a.debits - a.credits);
  });

  it('GET /sellers/{sellerId}/wallet answers 404 WALLET_NOT_FOUND for a seller never paid', async () => {
    expectProblem(
      await api('GET', `/sellers/seller-${randomUUID()}/wallet`, { as: 'operator' }),
      404,
      'WALLET_NOT_FOUND',
    );
  });
});

// The rest needs the PSP simulator to authorise payments: registered on the local stack only.
if (pspUrl()) {
  describe('event delivery: confirm and partial cancel settle wallets and the ledger (PSP simulator)', () => {
    it('credits both sellers, records a balanced journal, then debits each seller its share of a partial cancel', async () => {
      const run = randomUUID().slice(0, 8);
      const sellers = [`seller-${run}-a`, `seller-${run}-b`] as const;
      await quietLedger();

      // Checkout for two sellers and confirm.
      const order = await createOrder({
        buyerId: 'buyer-e2e',
        orderName: 'Two sellers',
        currency: 'KRW',
        items: [
          { sellerId: sellers[0], productId: 'book-1', amount: 3_333 },
          { sellerId: sellers[1], productId: 'book-2', amount: 6_667 },
        ],
      });
      expect(order.amount).toBe(10_000);
      expect(await walletBalance(sellers[0])).toBeUndefined();
      const paymentKey = await sim.session(order.orderId, order.amount);
      expect((await postConfirm({ ...order, paymentKey })).status).toBe(200);

      const confirmed = await within(
        () => observe(order.orderId, sellers),
        (o) => o.done && o.wallets[0] === 3_333 && o.wallets[1] === 6_667,
      );
      expect(confirmed).toEqual({
        wallets: [3_333, 6_667],
        status: 'SUCCESS',
        walletSettled: true,
        ledgerRecorded: true,
        done: true,
        events: ['1:PaymentConfirmed'],
      });
      const afterConfirm = await trialBalance();
      expect(afterConfirm.totalDebits).toBe(afterConfirm.totalCredits);
      // Credit each seller's payable with its items; PSP clearing takes the debit.
      expect(account(afterConfirm, `seller-payable:${sellers[0]}`)).toEqual({
        account: `seller-payable:${sellers[0]}`,
        debits: 0,
        credits: 3_333,
        balance: -3_333,
      });
      expect(account(afterConfirm, `seller-payable:${sellers[1]}`)).toMatchObject({
        debits: 0,
        credits: 6_667,
      });

      // Partial cancel of 1,000 over lines of 3,333 and 6,667: floors 333 and 666 leave 1 unit,
      // which goes to the larger remainder (6,667 × 1,000 mod 10,000 = 7,000 > 3,000): 333 and 667.
      const canceled = await postCancel(order.orderId, newKey('cx'), {
        cancelReason: 'one item out of stock',
        cancelAmount: 1_000,
      });
      expect(canceled.status).toBe(200);
      expect(canceled.json).toEqual({
        orderId: order.orderId,
        status: 'PARTIAL_CANCELED',
        balanceAmount: 9_000,
      });

      const afterCancel = await within(
        () => observe(order.orderId, sellers),
        (o) => o.done && o.wallets[0] === 3_000 && o.wallets[1] === 6_000,
      );
      expect(afterCancel).toEqual({
        wallets: [3_000, 6_000],
        status: 'PARTIAL_CANCELED',
        walletSettled: true,
        ledgerRecorded: true,
        done: true,
        events: ['1:PaymentConfirmed', '2:PaymentCanceled'],
      });

      // The reversal: new entries, never edits. Sellers' payables are debited their shares and
      // PSP clearing is credited the cancel amount; its debits do not move.
      const tb = await trialBalance();
      expect(tb.totalDebits).toBe(tb.totalCredits);
      expect(account(tb, `seller-payable:${sellers[0]}`)).toEqual({
        account: `seller-payable:${sellers[0]}`,
        debits: 333,
        credits: 3_333,
        balance: -3_000,
      });
      expect(account(tb, `seller-payable:${sellers[1]}`)).toEqual({
        account: `seller-payable:${sellers[1]}`,
        debits: 667,
        credits: 6_667,
        balance: -6_000,
      });
      const clearingBefore = account(afterConfirm, 'psp-clearing');
      const clearingAfter = account(tb, 'psp-clearing');
      expect({
        debits: clearingAfter.debits - clearingBefore.debits,
        credits: clearingAfter.credits - clearingBefore.credits,
      }).toEqual({ debits: 0, credits: 1_000 });
    }, 60_000);
  });
}
