import fc from 'fast-check';
import { sumAmounts } from '../../lambdas/domain/money';
import {
  approve,
  cancel,
  canTransition,
  createPayment,
  decline,
  markUnknown,
  type Payment,
  startExecution,
  type Transition,
} from '../../lambdas/domain/payment';
import { AT, accepted, checkout } from './payment-fixtures';

const items = fc.array(
  fc.record({
    sellerId: fc.constantFrom('seller-a', 'seller-b', 'seller-c'),
    productId: fc.string({ minLength: 1, maxLength: 4 }),
    amount: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100_000_000_000 })),
  }),
  { minLength: 1, maxLength: 5 },
);

/**
 * An operation with random inputs: some valid, many not, so refusals are exercised too. Weighted
 * toward the happy path so that most sequences reach the cancel states.
 */
const operation: fc.Arbitrary<(p: Payment) => Transition> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        paymentKey: fc.constantFrom('key-1', 'key-1', 'key-2'),
        surplus: fc.constantFrom(0, 0, 0, 1),
      })
      .map(
        ({ paymentKey, surplus }) =>
          (p: Payment) =>
            startExecution(p, { paymentKey, amount: p.amount + surplus, at: AT }),
      ),
  },
  {
    weight: 3,
    arbitrary: fc.constant((p: Payment) => approve(p, { paymentKey: 'key-1', approvedAt: AT, at: AT })),
  },
  {
    weight: 1,
    arbitrary: fc.constant((p: Payment) =>
      decline(p, { code: 'REJECT_CARD_PAYMENT', message: 'no', at: AT }),
    ),
  },
  { weight: 1, arbitrary: fc.constant((p: Payment) => markUnknown(p, { at: AT })) },
  { weight: 1, arbitrary: fc.constant((p: Payment) => cancel(p, { cancelReason: 'full', at: AT })) },
  {
    weight: 5,
    // Percent of the balance: 0 and above 100 are refusals.
    arbitrary: fc.integer({ min: 0, max: 120 }).map(
      (percent) => (p: Payment) =>
        cancel(p, {
          cancelAmount: Math.floor((p.balanceAmount * percent) / 100),
          cancelReason: 'part',
          at: AT,
        }),
    ),
  },
);

/** FAILURE yields only to the PSP's approval; CANCELED to nothing. */
const FINAL = new Set(['CANCELED']);

function expectConsistentAmounts(p: Payment): void {
  expect(p.balanceAmount).toBeGreaterThanOrEqual(0);
  expect(p.balanceAmount).toBeLessThanOrEqual(p.amount);
  expect(sumAmounts(p.items.map((item) => item.balanceAmount))).toBe(p.balanceAmount);
  for (const item of p.items) {
    expect(item.balanceAmount).toBeGreaterThanOrEqual(0);
    expect(item.balanceAmount).toBeLessThanOrEqual(item.amount);
  }
}

describe('payment under random operation sequences', () => {
  it('keeps every invariant', () => {
    const runs = 500;
    let runsWithCancels = 0;
    fc.assert(
      fc.property(items, fc.array(operation, { minLength: 5, maxLength: 30, size: 'max' }), (lines, ops) => {
        let payment = accepted(createPayment(checkout({ items: lines })));
        const canceledBySeller = new Map<string, number>();
        for (const op of ops) {
          const before = payment;
          const result = op(before);
          if (FINAL.has(before.status)) expect(result.ok).toBe(false);
          if (!result.ok) continue;
          payment = result.payment;

          expect(canTransition(before.status, payment.status)).toBe(true);
          expect(payment.version).toBe(before.version + 1);
          expect(payment.eventSeq).toBe(before.eventSeq + (result.event ? 1 : 0));
          expectConsistentAmounts(payment);

          const event = result.event;
          if (event === undefined) continue;
          expect(event.seq).toBe(payment.eventSeq);
          expect(event.eventId).toBe(`${payment.orderId}:${event.seq}`);
          expect(sumAmounts(event.items.map((line) => line.amount))).toBe(event.amount);
          if (event.type === 'PaymentCanceled') {
            expect(event.amount).toBe(before.balanceAmount - payment.balanceAmount);
            for (const line of event.items) {
              canceledBySeller.set(line.sellerId, (canceledBySeller.get(line.sellerId) ?? 0) + line.amount);
            }
          } else {
            expect(event.amount).toBe(payment.amount);
          }
        }
        if (canceledBySeller.size > 0) runsWithCancels += 1;
        // Each seller's canceled total, as told by the events, is what its lines gave back: never more than they were.
        for (const sellerId of new Set(lines.map((line) => line.sellerId))) {
          const sellerItems = payment.items.filter((item) => item.sellerId === sellerId);
          const canceled = canceledBySeller.get(sellerId) ?? 0;
          expect(canceled).toBe(sumAmounts(sellerItems.map((item) => item.amount - item.balanceAmount)));
          expect(canceled).toBeLessThanOrEqual(sumAmounts(sellerItems.map((item) => item.amount)));
        }
      }),
      { numRuns: runs },
    );
    // Guards the generator: the interesting states must actually be reached.
    expect(runsWithCancels).toBeGreaterThan(runs / 5);
  });
});
