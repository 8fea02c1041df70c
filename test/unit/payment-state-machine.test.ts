import {
  cancel,
  canTransition,
  createPayment,
  PAYMENT_STATUSES,
  type PaymentStatus,
  requestCancel,
  startExecution,
} from '../../lambdas/domain/payment';
import {
  APPROVED_AT,
  AT,
  accepted,
  checkout,
  type OperationName,
  operations,
  PAYMENT_KEY,
  paymentIn,
} from './payment-fixtures';

/** The contract, written out independently of the implementation's table. */
const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  NOT_STARTED: ['EXECUTING'],
  // Back to NOT_STARTED: the PSP refused to hear the confirm (unknown session, credentials).
  // AWAITING_DEPOSIT: the PSP issued a virtual account instead of approving.
  EXECUTING: ['SUCCESS', 'FAILURE', 'UNKNOWN', 'NOT_STARTED', 'AWAITING_DEPOSIT'],
  UNKNOWN: ['EXECUTING', 'SUCCESS', 'FAILURE', 'NOT_STARTED', 'AWAITING_DEPOSIT'],
  // Deposited, or expired (or canceled) unpaid.
  AWAITING_DEPOSIT: ['SUCCESS', 'FAILURE'],
  // Back to AWAITING_DEPOSIT: the PSP took a deposit back (reverseDeposit).
  SUCCESS: ['CANCELED', 'PARTIAL_CANCELED', 'AWAITING_DEPOSIT'],
  PARTIAL_CANCELED: ['PARTIAL_CANCELED', 'CANCELED'],
  // The PSP's approval outranks a FAILURE we recorded.
  FAILURE: ['SUCCESS'],
  CANCELED: [],
};

/** Where each operation leads, the event it emits, and (if narrower than the table) where it starts. */
const EFFECTS: Record<
  OperationName,
  { to: PaymentStatus; event?: string; startsFrom?: readonly PaymentStatus[] }
> = {
  startExecution: { to: 'EXECUTING' },
  approve: { to: 'SUCCESS', event: 'PaymentConfirmed' },
  decline: { to: 'FAILURE', event: 'PaymentFailed' },
  markUnknown: { to: 'UNKNOWN' },
  // SUCCESS → AWAITING_DEPOSIT is the reversal only, never a second account.
  awaitDeposit: { to: 'AWAITING_DEPOSIT', startsFrom: ['EXECUTING', 'UNKNOWN'] },
  cancelPartially: { to: 'PARTIAL_CANCELED', event: 'PaymentCanceled' },
  cancelFully: { to: 'CANCELED', event: 'PaymentCanceled' },
};

const pairs = PAYMENT_STATUSES.flatMap((from) =>
  (Object.keys(EFFECTS) as OperationName[]).map((operation) => ({
    from,
    operation,
    ...EFFECTS[operation],
    allowed:
      ALLOWED[from].includes(EFFECTS[operation].to) &&
      (EFFECTS[operation].startsFrom?.includes(from) ?? true),
  })),
);

describe('canTransition', () => {
  it.each(PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as const)))(
    '%s → %s',
    (from, to) => {
      expect(canTransition(from, to)).toBe(ALLOWED[from].includes(to));
    },
  );
});

describe('every (status, operation) pair', () => {
  it.each(pairs.filter((pair) => pair.allowed))(
    '$from: $operation → $to',
    ({ from, operation, to, event }) => {
      const before = paymentIn(from);
      const result = operations[operation](before);
      const after = accepted(result);
      expect(after.status).toBe(to);
      expect(after.version).toBe(before.version + 1);
      expect(after.updatedAt).toBe(AT);
      if (!result.ok) return;
      if (event === undefined) {
        expect(result.event).toBeUndefined();
        expect(after.eventSeq).toBe(before.eventSeq);
      } else {
        expect(result.event?.type).toBe(event);
        expect(result.event?.seq).toBe(before.eventSeq + 1);
        expect(after.eventSeq).toBe(before.eventSeq + 1);
      }
    },
  );

  it.each(pairs.filter((pair) => !pair.allowed))('$from: $operation is refused', ({ from, operation }) => {
    expect(operations[operation](paymentIn(from))).toEqual({ ok: false, reason: 'INVALID_STATE' });
  });
});

describe('createPayment', () => {
  it('totals the items and starts NOT_STARTED with every line unpaid back', () => {
    const payment = accepted(createPayment(checkout()));
    expect(payment).toMatchObject({
      orderId: 'order-1',
      amount: 6_000,
      balanceAmount: 6_000,
      status: 'NOT_STARTED',
      version: 1,
      eventSeq: 0,
    });
    expect(payment.items.map((item) => item.balanceAmount)).toEqual([1_000, 2_000, 3_000]);
  });

  it.each([
    ['no items', [], 'NO_ITEMS'],
    ['a zero amount', [{ sellerId: 's', productId: 'p', amount: 0 }], 'INVALID_AMOUNT'],
    ['a fractional amount', [{ sellerId: 's', productId: 'p', amount: 1.5 }], 'INVALID_AMOUNT'],
    [
      'a total above the maximum',
      [
        { sellerId: 's', productId: 'p', amount: 600_000_000_000 },
        { sellerId: 't', productId: 'q', amount: 600_000_000_000 },
      ],
      'INVALID_AMOUNT',
    ],
  ])('refuses %s', (_, items, reason) => {
    expect(createPayment(checkout({ items }))).toEqual({ ok: false, reason });
  });
});

describe('startExecution', () => {
  it('keeps the paymentKey so recovery can re-confirm with it', () => {
    expect(paymentIn('EXECUTING').paymentKey).toBe(PAYMENT_KEY);
  });

  it('refuses an amount other than the checkout’s', () => {
    const payment = paymentIn('NOT_STARTED');
    expect(startExecution(payment, { paymentKey: PAYMENT_KEY, amount: 5_999, at: AT })).toEqual({
      ok: false,
      reason: 'AMOUNT_MISMATCH',
    });
  });

  it('refuses to resume an UNKNOWN payment with another paymentKey', () => {
    const payment = paymentIn('UNKNOWN');
    expect(startExecution(payment, { paymentKey: 'other', amount: payment.amount, at: AT })).toEqual({
      ok: false,
      reason: 'PAYMENT_KEY_MISMATCH',
    });
    expect(accepted(operations.startExecution(payment)).status).toBe('EXECUTING');
  });
});

describe('events', () => {
  it('approve emits PaymentConfirmed for the whole order', () => {
    const result = operations.approve(paymentIn('EXECUTING'));
    expect(result.ok && result.event).toEqual({
      eventId: 'order-1:1',
      type: 'PaymentConfirmed',
      orderId: 'order-1',
      seq: 1,
      occurredAt: AT,
      buyerId: 'buyer-1',
      amount: 6_000,
      currency: 'KRW',
      items: [
        { sellerId: 'seller-a', productId: 'book-1', amount: 1_000 },
        { sellerId: 'seller-b', productId: 'book-2', amount: 2_000 },
        { sellerId: 'seller-c', productId: 'book-3', amount: 3_000 },
      ],
      paymentKey: PAYMENT_KEY,
      approvedAt: APPROVED_AT,
    });
    expect(accepted(result)).toMatchObject({ approvedAt: APPROVED_AT, paymentKey: PAYMENT_KEY });
  });

  it('decline emits PaymentFailed and records the failure', () => {
    const result = operations.decline(paymentIn('UNKNOWN'));
    expect(result.ok && result.event).toMatchObject({
      type: 'PaymentFailed',
      eventId: 'order-1:1',
      amount: 6_000,
    });
    expect(accepted(result).failure).toEqual({ code: 'REJECT_CARD_PAYMENT', message: 'limit exceeded' });
  });
});

describe('cancel', () => {
  it('spreads a partial cancel over the sellers in proportion to what each has left', () => {
    const result = cancel(paymentIn('SUCCESS'), { cancelAmount: 1_000, cancelReason: 'returned', at: AT });
    const payment = accepted(result);
    expect(payment.status).toBe('PARTIAL_CANCELED');
    expect(payment.balanceAmount).toBe(5_000);
    expect(payment.items.map((item) => item.balanceAmount)).toEqual([833, 1_667, 2_500]);
    expect(result.ok && result.event).toMatchObject({
      eventId: 'order-1:2',
      seq: 2,
      type: 'PaymentCanceled',
      amount: 1_000,
      balanceAmount: 5_000,
      cancelReason: 'returned',
      items: [
        { sellerId: 'seller-a', productId: 'book-1', amount: 167 },
        { sellerId: 'seller-b', productId: 'book-2', amount: 333 },
        { sellerId: 'seller-c', productId: 'book-3', amount: 500 },
      ],
    });
  });

  it('leaves lines the cancel does not touch out of the event', () => {
    const result = cancel(paymentIn('SUCCESS'), { cancelAmount: 1, cancelReason: 'coupon', at: AT });
    expect(result.ok && result.event?.items).toEqual([
      { sellerId: 'seller-c', productId: 'book-3', amount: 1 },
    ]);
  });

  it('cancels the remaining balance when no amount is given, emptying every line', () => {
    const payment = accepted(operations.cancelFully(paymentIn('PARTIAL_CANCELED')));
    expect(payment.status).toBe('CANCELED');
    expect(payment.balanceAmount).toBe(0);
    expect(payment.items.every((item) => item.balanceAmount === 0)).toBe(true);
  });

  it('treats an explicit amount equal to the balance as a full cancel', () => {
    const payment = paymentIn('SUCCESS');
    const canceled = cancel(payment, { cancelAmount: payment.balanceAmount, cancelReason: 'all', at: AT });
    expect(accepted(canceled).status).toBe('CANCELED');
  });

  it.each([
    [6_001, 'CANCEL_AMOUNT_EXCEEDS_BALANCE'],
    [0, 'INVALID_AMOUNT'],
    [-5, 'INVALID_AMOUNT'],
    [0.5, 'INVALID_AMOUNT'],
  ])('refuses an amount of %p with %s', (cancelAmount, reason) => {
    expect(cancel(paymentIn('SUCCESS'), { cancelAmount, cancelReason: 'x', at: AT })).toEqual({
      ok: false,
      reason,
    });
  });

  it('the cancel that emptied the payment is already recorded, not an invalid state, when it comes again', () => {
    const full = cancel(paymentIn('SUCCESS'), {
      cancelReason: 'all',
      at: AT,
      transactionKey: 'tx-full',
      requestKey: 'req-full',
    });
    const canceled = accepted(full);
    expect(canceled.status).toBe('CANCELED');
    expect(cancel(canceled, { cancelReason: 'all', at: AT, transactionKey: 'tx-full' })).toEqual({
      ok: false,
      reason: 'CANCEL_ALREADY_RECORDED',
    });
    // Another PSP cancel of a CANCELED payment is still refused by its status.
    expect(cancel(canceled, { cancelReason: 'all', at: AT, transactionKey: 'tx-other' })).toEqual({
      ok: false,
      reason: 'INVALID_STATE',
    });
    // The same request asked again finds it applied rather than refused.
    expect(requestCancel(canceled, { requestKey: 'req-full', cancelReason: 'all', at: AT })).toMatchObject({
      ok: true,
      kind: 'applied',
    });
  });

  it('reports INVALID_STATE before looking at the amount', () => {
    expect(cancel(paymentIn('EXECUTING'), { cancelAmount: 10_000, cancelReason: 'x', at: AT })).toEqual({
      ok: false,
      reason: 'INVALID_STATE',
    });
  });
});
