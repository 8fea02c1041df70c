import fc from 'fast-check';
import type { DomainEvent, EventLine } from '../../lambdas/domain/events';
import {
  isBalanced,
  journalFor,
  PSP_CLEARING,
  sellerPayable,
  trialBalance,
} from '../../lambdas/domain/ledger';
import { sumAmounts } from '../../lambdas/domain/money';
import {
  approve,
  cancel,
  createPayment,
  decline,
  type Payment,
  startExecution,
  type Transition,
} from '../../lambdas/domain/payment';
import { walletDeltas } from '../../lambdas/domain/wallet';
import { AT, accepted, checkout } from './payment-fixtures';

const lines = fc.array(
  fc.record({
    sellerId: fc.constantFrom('seller-a', 'seller-b', 'seller-c', 'seller-d'),
    productId: fc.string({ minLength: 1, maxLength: 4 }),
    amount: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10_000_000_000 })),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Any event shape the queues may carry, including several lines per seller. */
const anyEvent: fc.Arbitrary<DomainEvent> = fc
  .record({
    type: fc.constantFrom('PaymentConfirmed', 'PaymentCanceled', 'PaymentDepositReversed', 'PaymentFailed'),
    seq: fc.integer({ min: 1, max: 20 }),
    items: lines,
  })
  .map(({ type, seq, items }) => {
    const base = {
      eventId: `order-1:${seq}`,
      orderId: 'order-1',
      seq,
      occurredAt: AT,
      buyerId: 'buyer-1',
      currency: 'KRW' as const,
      amount: sumAmounts(items.map((line: EventLine) => line.amount)),
      items,
    };
    if (type === 'PaymentConfirmed') return { ...base, type, paymentKey: 'key-1', approvedAt: AT };
    if (type === 'PaymentCanceled') return { ...base, type, cancelReason: 'r', balanceAmount: 0 };
    if (type === 'PaymentDepositReversed') return { ...base, type };
    return { ...base, type, failure: { code: 'REJECT_CARD_PAYMENT', message: 'no' } };
  });

describe('ledger and wallet mapping over random events', () => {
  it('always produces balanced transactions touching each account once', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const transaction = journalFor(event);
        if (event.type === 'PaymentFailed') {
          expect(transaction).toBeUndefined();
          return;
        }
        if (!transaction) throw new Error('expected a transaction');
        expect(isBalanced(transaction)).toBe(true);
        const accounts = transaction.entries.map((entry) => entry.account);
        expect(new Set(accounts).size).toBe(accounts.length);
        const clearing = transaction.entries.find((entry) => entry.account === PSP_CLEARING);
        expect((clearing?.debit ?? 0) + (clearing?.credit ?? 0)).toBe(event.amount);
        for (const { debit, credit } of transaction.entries) expect(debit === 0 || credit === 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("moves each seller's wallet exactly as its payable account moves", () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const deltas = walletDeltas(event);
        expect(new Set(deltas.map((d) => d.sellerId)).size).toBe(deltas.length);
        const sign = {
          PaymentConfirmed: 1,
          PaymentCanceled: -1,
          PaymentDepositReversed: -1,
          PaymentFailed: 0,
        }[event.type];
        expect(sumAmounts(deltas.map((d) => d.delta))).toBe(sign * event.amount);
        const entries = journalFor(event)?.entries ?? [];
        for (const { sellerId, delta } of deltas) {
          const payable = entries.find((entry) => entry.account === sellerPayable(sellerId));
          expect((payable?.credit ?? 0) - (payable?.debit ?? 0)).toBe(delta);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** Folds events into wallets and account totals, as the two consumers would. */
function settle(events: readonly DomainEvent[]) {
  const wallets = new Map<string, number>();
  const totals = new Map<string, { debits: number; credits: number }>();
  for (const event of events) {
    for (const { sellerId, delta } of walletDeltas(event)) {
      wallets.set(sellerId, (wallets.get(sellerId) ?? 0) + delta);
    }
    const transaction = journalFor(event);
    if (transaction) expect(isBalanced(transaction)).toBe(true);
    for (const { account, debit, credit } of transaction?.entries ?? []) {
      const total = totals.get(account) ?? { debits: 0, credits: 0 };
      totals.set(account, { debits: total.debits + debit, credits: total.credits + credit });
    }
  }
  return { wallets, trial: trialBalance([...totals].map(([account, t]) => ({ account, ...t }))) };
}

describe('settling a payment through its whole life', () => {
  it('leaves wallets, payables and clearing at what the payment still holds', () => {
    fc.assert(
      fc.property(
        lines,
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 6 }),
        (items, declined, cancelPercents) => {
          const executing = accepted(
            startExecution(accepted(createPayment(checkout({ items }))), {
              paymentKey: 'key-1',
              amount: sumAmounts(items.map((line) => line.amount)),
              at: AT,
            }),
          );
          const events: DomainEvent[] = [];
          const step = (result: Transition): Payment => {
            const next = accepted(result);
            if (result.ok && result.event) events.push(result.event);
            return next;
          };
          let payment = declined
            ? step(decline(executing, { code: 'REJECT_CARD_PAYMENT', message: 'no', at: AT }))
            : step(approve(executing, { paymentKey: 'key-1', approvedAt: AT, at: AT }));
          for (const percent of declined ? [] : cancelPercents) {
            const cancelAmount = Math.floor((payment.balanceAmount * percent) / 100);
            if (cancelAmount === 0) continue;
            payment = step(cancel(payment, { cancelAmount, cancelReason: 'part', at: AT }));
          }

          const { wallets, trial } = settle(events);
          expect(trial.totalDebits).toBe(trial.totalCredits);
          const balance = (account: string) =>
            trial.accounts.find((a) => a.account === account)?.balance ?? 0;
          const held = declined ? 0 : payment.balanceAmount;
          expect(balance(PSP_CLEARING)).toBe(held);
          for (const sellerId of new Set(items.map((line) => line.sellerId))) {
            const sellerHeld = declined
              ? 0
              : sumAmounts(payment.items.filter((i) => i.sellerId === sellerId).map((i) => i.balanceAmount));
            expect(wallets.get(sellerId) ?? 0).toBe(sellerHeld);
            expect(balance(sellerPayable(sellerId)) + sellerHeld).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
