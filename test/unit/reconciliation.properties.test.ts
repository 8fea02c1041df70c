import fc from 'fast-check';
import {
  approve,
  cancel,
  createPayment,
  decline,
  markUnknown,
  type Payment,
  startExecution,
  type Transition,
} from '../../lambdas/domain/payment';
import {
  applyCorrection,
  assess,
  foldSettlement,
  netSettled,
  type OrderEvidence,
  type PspDay,
  type PspPaymentView,
  type Verdict,
} from '../../lambdas/domain/reconciliation';
import { AT, accepted, checkout } from './payment-fixtures';

const KEY = 'tgen_property';
const APPROVED_AT = '2024-03-01T10:00:00+09:00';

/** Our payment, reached through the real transitions: any status, cancels of any size. */
const ourPayment: fc.Arbitrary<Payment> = fc
  .record({
    amounts: fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 3 }),
    path: fc.constantFrom('NOT_STARTED', 'EXECUTING', 'UNKNOWN', 'FAILURE', 'SUCCESS', 'CANCELS'),
    cancelShares: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { maxLength: 3 }),
  })
  .map(({ amounts, path, cancelShares }) => {
    const items = amounts.map((amount, i) => ({ sellerId: `s${i}`, productId: `p${i}`, amount }));
    let payment = accepted(createPayment(checkout({ items })));
    const step = (t: Transition) => {
      payment = accepted(t);
    };
    if (path === 'NOT_STARTED') return payment;
    step(startExecution(payment, { paymentKey: KEY, amount: payment.amount, at: AT }));
    if (path === 'EXECUTING') return payment;
    if (path === 'UNKNOWN') return accepted(markUnknown(payment, { at: AT }));
    if (path === 'FAILURE') return accepted(decline(payment, { code: 'REJECTED', message: 'no', at: AT }));
    step(approve(payment, { paymentKey: KEY, approvedAt: APPROVED_AT, at: AT }));
    for (const share of path === 'CANCELS' ? cancelShares : []) {
      const cancelAmount = Math.ceil(payment.balanceAmount * share);
      if (payment.balanceAmount === 0 || cancelAmount === 0) break;
      step(cancel(payment, { cancelAmount, cancelReason: 'test', at: AT }));
    }
    return payment;
  });

/** The PSP's side for the same order: mostly the same total and key, sometimes not. */
function pspSide(payment: Payment) {
  const total = fc.oneof(
    { weight: 4, arbitrary: fc.constant(payment.amount) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 300_000 }) },
  );
  return total.chain((totalAmount) =>
    fc.record({
      day: fc.record({
        orderId: fc.constant(payment.orderId),
        paymentKey: fc.oneof(
          { weight: 9, arbitrary: fc.constant(KEY) },
          { weight: 1, arbitrary: fc.constant('other') },
        ),
        approved: fc.constantFrom(0, totalAmount),
        canceled: fc.integer({ min: 0, max: totalAmount }),
        fee: fc.constant(0),
        payOut: fc.constant(0),
        approvedAt: fc.constant(APPROVED_AT),
      }),
      view: fc
        .record({
          paymentKey: fc.constant(KEY),
          status: fc.constantFrom('DONE', 'PARTIAL_CANCELED', 'CANCELED', 'ABORTED'),
          totalAmount: fc.constant(totalAmount),
          balanceAmount: fc.integer({ min: 0, max: totalAmount }),
          approvedAt: fc.constant(APPROVED_AT),
        })
        // What the PSP canceled, as one cancel with its transaction key.
        .map((view) => ({
          ...view,
          cancels:
            view.balanceAmount < totalAmount
              ? [{ transactionKey: 'tx-psp', cancelAmount: totalAmount - view.balanceAmount }]
              : [],
        })),
    }),
  );
}

const order = ourPayment.chain((payment) => pspSide(payment).map((psp) => ({ payment, ...psp })));

/** As the use case does: the day first, the PSP's current view only when asked for. */
function decide(psp: PspDay, internal: Payment, view: PspPaymentView): Verdict {
  const first = assess({ psp, internal });
  if (first.kind === 'verdict') return first;
  const second = assess({ psp, internal, pspNow: view });
  if (second.kind !== 'verdict') throw new Error('a lookup did not settle the assessment');
  return second;
}

function corrected(payment: Payment, verdict: Verdict): Payment {
  return verdict.corrections.reduce((p, correction) => accepted(applyCorrection(p, correction, AT)), payment);
}

describe('reconciliation properties', () => {
  it('exactly one side missing is MISSING_*, and nothing is corrected then', () => {
    fc.assert(
      fc.property(order, ({ payment, day }) => {
        const evidence: OrderEvidence[] = [{ psp: day }, { internal: payment }];
        const classes = evidence.map((e) => assess(e));
        expect(classes).toEqual([
          expect.objectContaining({ class: 'MISSING_INTERNAL', corrections: [] }),
          expect.objectContaining({ class: 'MISSING_AT_PSP', corrections: [] }),
        ]);
      }),
    );
  });

  it('corrections always apply through the state machine and leave the order MATCHED', () => {
    fc.assert(
      fc.property(order, ({ payment, day, view }) => {
        const verdict = decide(day, payment, view);
        if (verdict.corrections.length === 0) return;
        const after = corrected(payment, verdict);
        expect(decide(day, after, view)).toMatchObject({ class: 'MATCHED', corrections: [] });
      }),
    );
  });

  it('corrections are safe: same amount and key, never on a payment a person must judge, never more than the balance', () => {
    fc.assert(
      fc.property(order, ({ payment, day, view }) => {
        const verdict = decide(day, payment, view);
        if (verdict.corrections.length === 0) return;
        expect(['EXECUTING', 'UNKNOWN', 'FAILURE', 'SUCCESS', 'PARTIAL_CANCELED']).toContain(payment.status);
        expect(view.totalAmount === payment.amount || day.approved === payment.amount).toBe(true);
        const after = corrected(payment, verdict);
        expect(after.balanceAmount).toBeLessThanOrEqual(payment.balanceAmount);
        expect(after.balanceAmount).toBeGreaterThanOrEqual(0);
        expect(after.paymentKey).toBe(KEY);
      }),
    );
  });

  it('a MATCHED order is one whose balance agrees with the PSP', () => {
    fc.assert(
      fc.property(order, ({ payment, day, view }) => {
        const verdict = decide(day, payment, view);
        if (verdict.class !== 'MATCHED') return;
        const usedView = assess({ psp: day, internal: payment }).kind === 'needsPspLookup';
        expect(payment.balanceAmount).toBe(usedView ? view.balanceAmount : netSettled(day));
        expect(payment.amount).toBe(usedView ? view.totalAmount : day.approved);
      }),
    );
  });

  it('folding a day’s rows does not depend on their order', () => {
    const rows = fc.array(
      fc.record({
        orderId: fc.constant('order-1'),
        paymentKey: fc.constant(KEY),
        amount: fc.integer({ min: -100_000, max: 100_000 }).filter((a) => a !== 0),
        fee: fc.integer({ min: -1_000, max: 1_000 }),
        payOutAmount: fc.integer({ min: -100_000, max: 100_000 }),
      }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(rows, (movements) => {
        const fold = (list: typeof movements) =>
          list.reduce<PspDay | undefined>(foldSettlement, undefined) as PspDay;
        const forward = fold(movements);
        const backward = fold([...movements].reverse());
        const amounts = ({ approved, canceled, fee, payOut }: PspDay) => [approved, canceled, fee, payOut];
        expect(amounts(backward)).toEqual(amounts(forward));
        expect(netSettled(forward)).toBe(movements.reduce((sum, m) => sum + m.amount, 0));
      }),
    );
  });
});
