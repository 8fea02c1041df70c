import {
  dayClosesAt,
  daysToReconcile,
  isCalendarDate,
  isDayClosed,
  newestClosedDay,
  periodDays,
  seoulDay,
  seoulDaysEndingAt,
  settlementDateOf,
  settlementDatesEndingAt,
} from '../../lambdas/domain/business-day';
import { PSP_CLEARING, sellerPayable } from '../../lambdas/domain/ledger';
import {
  applyCorrection,
  assess,
  CORRECTION_CANCEL_REASON,
  checkLedgerAgainstWallets,
  foldSettlement,
  type InternalPayment,
  netSettled,
  type PspDay,
  type PspPaymentView,
  type SettlementMovement,
} from '../../lambdas/domain/reconciliation';
import { accepted, paymentIn } from './payment-fixtures';

const KEY = 'tgen_reconciled';
const APPROVED_AT = '2024-03-01T10:00:00+09:00';

function day(overrides: Partial<PspDay> = {}): PspDay {
  return {
    orderId: 'order-1',
    paymentKey: KEY,
    approved: 6_000,
    canceled: 0,
    fee: 0,
    payOut: 0,
    approvedAt: APPROVED_AT,
    ...overrides,
  };
}

function ours(overrides: Partial<InternalPayment> = {}): InternalPayment {
  return {
    orderId: 'order-1',
    status: 'SUCCESS',
    amount: 6_000,
    balanceAmount: 6_000,
    paymentKey: KEY,
    ...overrides,
  };
}

function cancelOf(cancelAmount: number, transactionKey: string) {
  return { transactionKey, cancelAmount };
}

function pspNow(overrides: Partial<PspPaymentView> = {}): PspPaymentView {
  return {
    paymentKey: KEY,
    status: 'DONE',
    totalAmount: 6_000,
    balanceAmount: 6_000,
    approvedAt: APPROVED_AT,
    cancels: [],
    ...overrides,
  };
}

describe('foldSettlement', () => {
  it('folds an order’s approval and cancel rows into the day’s approved and canceled amounts', () => {
    const rows: SettlementMovement[] = [
      {
        orderId: 'order-1',
        paymentKey: KEY,
        amount: 6_000,
        fee: 192,
        payOutAmount: 5_808,
        approvedAt: APPROVED_AT,
      },
      {
        orderId: 'order-1',
        paymentKey: KEY,
        amount: -1_000,
        fee: -32,
        payOutAmount: -968,
        approvedAt: APPROVED_AT,
      },
      {
        orderId: 'order-1',
        paymentKey: KEY,
        amount: -2_000,
        fee: -64,
        payOutAmount: -1_936,
        approvedAt: APPROVED_AT,
      },
    ];
    const folded = rows.reduce<PspDay | undefined>(foldSettlement, undefined);
    expect(folded).toEqual(day({ approved: 6_000, canceled: 3_000, fee: 96, payOut: 2_904 }));
    expect(folded && netSettled(folded)).toBe(3_000);
  });

  it('keeps a cancel-only day (approved on another day) at approved 0', () => {
    const folded = foldSettlement(undefined, {
      orderId: 'order-1',
      paymentKey: KEY,
      amount: -500,
      fee: -16,
      payOutAmount: -484,
    });
    expect(folded).toMatchObject({ approved: 0, canceled: 500 });
    expect(netSettled(folded)).toBe(-500);
  });
});

describe('assess', () => {
  it.each<[string, Parameters<typeof assess>[0], string]>([
    ['only the PSP has it', { psp: day() }, 'MISSING_INTERNAL'],
    ['only we have it', { internal: ours() }, 'MISSING_AT_PSP'],
    ['both agree, decided on the day alone', { psp: day(), internal: ours() }, 'MATCHED'],
    ['the approved amounts differ', { psp: day({ approved: 5_000 }), internal: ours() }, 'AMOUNT_MISMATCH'],
    ['we never started it', { psp: day(), internal: ours({ status: 'NOT_STARTED' }) }, 'STATUS_MISMATCH'],
    ['another paymentKey', { psp: day({ paymentKey: 'other' }), internal: ours() }, 'STATUS_MISMATCH'],
    [
      'unknown here but another paymentKey at the PSP',
      { psp: day({ paymentKey: 'other' }), internal: ours({ status: 'UNKNOWN' }) },
      'STATUS_MISMATCH',
    ],
    [
      'we recorded a cancel the PSP did not make',
      { psp: day(), internal: ours({ status: 'PARTIAL_CANCELED', balanceAmount: 4_000 }), pspNow: pspNow() },
      'STATUS_MISMATCH',
    ],
    [
      'the PSP has rows but no payment',
      { psp: day({ canceled: 1_000 }), internal: ours(), pspNow: null },
      'STATUS_MISMATCH',
    ],
    [
      'the PSP holds it as aborted',
      { psp: day({ canceled: 1_000 }), internal: ours(), pspNow: pspNow({ status: 'ABORTED' }) },
      'STATUS_MISMATCH',
    ],
    [
      'unknown here, approved at the PSP without an approval time',
      { psp: day({ approvedAt: undefined }), internal: ours({ status: 'UNKNOWN', paymentKey: undefined }) },
      'STATUS_MISMATCH',
    ],
  ])('%s: %s, and nothing is changed automatically', (_, evidence, expected) => {
    expect(assess(evidence)).toMatchObject({ kind: 'verdict', class: expected, corrections: [] });
  });

  it.each(['EXECUTING', 'UNKNOWN', 'FAILURE'] as const)(
    'approves a payment we hold as %s that the PSP approved (the PSP outranks our FAILURE)',
    (status) => {
      expect(assess({ psp: day(), internal: ours({ status }) })).toEqual({
        kind: 'verdict',
        class: 'STATUS_MISMATCH',
        reason: expect.any(String),
        corrections: [{ kind: 'approve', paymentKey: KEY, approvedAt: APPROVED_AT }],
      });
    },
  );

  it('approves, then cancels what the PSP canceled since, for an unknown payment', () => {
    const evidence = { psp: day({ canceled: 6_000 }), internal: ours({ status: 'UNKNOWN' as const }) };
    expect(assess(evidence)).toEqual({ kind: 'needsPspLookup' });
    const canceled = pspNow({ status: 'CANCELED', balanceAmount: 0, cancels: [cancelOf(6_000, 'tx-all')] });
    expect(assess({ ...evidence, pspNow: canceled })).toMatchObject({
      class: 'STATUS_MISMATCH',
      corrections: [
        { kind: 'approve', paymentKey: KEY, approvedAt: APPROVED_AT },
        { kind: 'cancel', transactionKey: 'tx-all', cancelAmount: 6_000 },
      ],
    });
  });

  it('cancels what the PSP canceled and we did not record, by transaction key', () => {
    const evidence = { psp: day({ canceled: 2_000 }), internal: ours() };
    expect(assess(evidence)).toEqual({ kind: 'needsPspLookup' });
    const pspView = pspNow({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 4_000,
      cancels: [cancelOf(2_000, 'tx-2')],
    });
    expect(assess({ ...evidence, pspNow: pspView })).toMatchObject({
      class: 'STATUS_MISMATCH',
      corrections: [{ kind: 'cancel', transactionKey: 'tx-2', cancelAmount: 2_000 }],
    });
  });

  it('a PSP cancel we already hold by its transaction key is never corrected again', () => {
    const internal = ours({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 4_000,
      cancels: [{ transactionKey: 'tx-2', amount: 2_000 }],
    });
    const pspView = pspNow({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 4_000,
      cancels: [cancelOf(2_000, 'tx-2')],
    });
    expect(assess({ psp: day({ canceled: 2_000 }), internal, pspNow: pspView })).toMatchObject({
      class: 'MATCHED',
      corrections: [],
    });
  });

  it.each<[string, Parameters<typeof assess>[0]]>([
    [
      'canceled here on a later day',
      { psp: day(), internal: ours({ status: 'PARTIAL_CANCELED', balanceAmount: 4_000 }) },
    ],
    [
      'a cancel-only day',
      { psp: day({ approved: 0, canceled: 2_000 }), internal: ours({ balanceAmount: 4_000 }) },
    ],
  ])('asks for the PSP’s current view when the day cannot tell the balance: %s', (_, evidence) => {
    expect(assess(evidence)).toEqual({ kind: 'needsPspLookup' });
    const matched = assess({
      ...evidence,
      internal: {
        ...evidence.internal,
        cancels: [{ transactionKey: 'tx-2', amount: 2_000 }],
      } as InternalPayment,
      pspNow: pspNow({
        status: 'PARTIAL_CANCELED',
        balanceAmount: 4_000,
        cancels: [cancelOf(2_000, 'tx-2')],
      }),
    });
    expect(matched).toMatchObject({ class: 'MATCHED', corrections: [] });
  });

  it('does not look up orders that only a person can settle', () => {
    expect(assess({ psp: day({ canceled: 1 }), internal: ours({ status: 'NOT_STARTED' }) })).toMatchObject({
      kind: 'verdict',
    });
  });
});

describe('applyCorrection', () => {
  it('approves through the confirm’s transition, with its event', () => {
    const result = accepted(
      applyCorrection(
        paymentIn('UNKNOWN'),
        { kind: 'approve', paymentKey: KEY, approvedAt: APPROVED_AT },
        'now',
      ),
    );
    expect(result).toMatchObject({ status: 'SUCCESS', paymentKey: KEY, approvedAt: APPROVED_AT });
    const transition = applyCorrection(
      paymentIn('EXECUTING'),
      { kind: 'approve', paymentKey: KEY, approvedAt: APPROVED_AT },
      'now',
    );
    expect(transition.ok && transition.event).toMatchObject({ type: 'PaymentConfirmed', amount: 6_000 });
  });

  it('cancels the missing amount through the cancel transition, with its event', () => {
    const transition = applyCorrection(
      paymentIn('SUCCESS'),
      { kind: 'cancel', transactionKey: 'tx-1', cancelAmount: 1_000 },
      'now',
    );
    expect(transition.ok && transition.payment).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 5_000,
    });
    expect(transition.ok && transition.event).toMatchObject({
      type: 'PaymentCanceled',
      amount: 1_000,
      cancelReason: CORRECTION_CANCEL_REASON,
    });
  });

  it('is refused by the state machine where it does not apply', () => {
    const approval = { kind: 'approve', paymentKey: KEY, approvedAt: APPROVED_AT } as const;
    expect(applyCorrection(paymentIn('SUCCESS'), approval, 'now')).toEqual({
      ok: false,
      reason: 'INVALID_STATE',
    });
  });
});

describe('checkLedgerAgainstWallets', () => {
  const accounts = [
    { account: PSP_CLEARING, debits: 10_000, credits: 2_000 },
    { account: sellerPayable('seller-a'), debits: 1_000, credits: 6_000 },
    { account: sellerPayable('seller-b'), debits: 1_000, credits: 4_000 },
  ];

  it('balances when the wallets hold what the ledger owes sellers', () => {
    expect(checkLedgerAgainstWallets(accounts, 8_000)).toEqual({
      walletsTotal: 8_000,
      sellerPayables: 8_000,
      balanced: true,
    });
  });

  it('reports a difference', () => {
    expect(checkLedgerAgainstWallets(accounts, 9_000)).toMatchObject({
      sellerPayables: 8_000,
      balanced: false,
    });
    expect(checkLedgerAgainstWallets([], 0)).toMatchObject({ balanced: true });
  });
});

describe('Seoul business day', () => {
  it('is the calendar day at UTC+9', () => {
    expect(seoulDay(new Date('2024-02-29T14:59:59Z'))).toBe('2024-02-29');
    expect(seoulDay(new Date('2024-02-29T15:00:00Z'))).toBe('2024-03-01');
  });

  it('closes a day only once it is over in Seoul plus the settlement lag', () => {
    const lag = 3 * 3_600_000;
    // 2024-03-01 ends at 2024-03-01T15:00Z (midnight in Seoul); its rows are complete 3 h later.
    expect(dayClosesAt('2024-03-01', lag).toISOString()).toBe('2024-03-01T18:00:00.000Z');
    expect(isDayClosed('2024-03-01', new Date('2024-03-01T17:59:59Z'), lag)).toBe(false);
    expect(isDayClosed('2024-03-01', new Date('2024-03-01T18:00:00Z'), lag)).toBe(true);
    expect(newestClosedDay(new Date('2024-03-01T17:59:59Z'), lag)).toBe('2024-02-29');
    expect(newestClosedDay(new Date('2024-03-01T21:00:00Z'), lag)).toBe('2024-03-01');
    expect(newestClosedDay(new Date('2024-03-01T21:00:00Z'), 0)).toBe('2024-03-01');
    expect(newestClosedDay(new Date('2024-03-01T15:00:00Z'), 0)).toBe('2024-03-01');
  });

  it('knows a calendar date from a string that only looks like one', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-3-01')).toBe(false);
    expect(seoulDaysEndingAt('2024-03-01', 3)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  describe('settlement cycles', () => {
    it("settles a day under itself, its week's Sunday or its month's last day", () => {
      // 2024-02-13 is a Tuesday; 2024 is a leap year.
      expect(settlementDateOf('2024-02-13', 'DAILY')).toBe('2024-02-13');
      expect(settlementDateOf('2024-02-13', 'WEEKLY')).toBe('2024-02-18');
      expect(settlementDateOf('2024-02-18', 'WEEKLY')).toBe('2024-02-18');
      expect(settlementDateOf('2024-02-19', 'WEEKLY')).toBe('2024-02-25');
      expect(settlementDateOf('2024-02-13', 'MONTHLY')).toBe('2024-02-29');
      expect(settlementDateOf('2024-12-31', 'MONTHLY')).toBe('2024-12-31');
    });

    it('knows the days of a period and the settlement dates before a day', () => {
      expect(periodDays('2024-02-18', 'WEEKLY')).toEqual(seoulDaysEndingAt('2024-02-18', 7));
      expect(periodDays('2024-02-29', 'MONTHLY')).toHaveLength(29);
      expect(periodDays('2024-02-13', 'DAILY')).toEqual(['2024-02-13']);
      expect(settlementDatesEndingAt('2024-02-20', 3, 'WEEKLY')).toEqual([
        '2024-02-04',
        '2024-02-11',
        '2024-02-18',
      ]);
      expect(settlementDatesEndingAt('2024-03-30', 2, 'MONTHLY')).toEqual(['2024-01-31', '2024-02-29']);
      expect(settlementDatesEndingAt('2024-03-31', 1, 'MONTHLY')).toEqual(['2024-03-31']);
      expect(settlementDatesEndingAt('2024-03-02', 2, 'DAILY')).toEqual(['2024-03-01', '2024-03-02']);
    });
  });

  describe('days a scheduled run reconciles', () => {
    const window = seoulDaysEndingAt('2024-03-10', 10);
    it('is only the newest closed day when none is completed: there is no known start', () => {
      expect(daysToReconcile(window, new Set(), 3)).toEqual(['2024-03-10']);
    });
    it('catches up every open day since the first completed one, gaps included', () => {
      const done = new Set(['2024-03-02', '2024-03-03', '2024-03-05']);
      expect(daysToReconcile(window, done, 0)).toEqual([
        '2024-03-04',
        '2024-03-06',
        '2024-03-07',
        '2024-03-08',
        '2024-03-09',
        '2024-03-10',
      ]);
    });
    it('re-checks the newest N completed days too, oldest first', () => {
      const done = new Set(['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09']);
      expect(daysToReconcile(window, done, 2)).toEqual(['2024-03-08', '2024-03-09', '2024-03-10']);
      const allDone = new Set(window);
      expect(daysToReconcile(window, allDone, 3)).toEqual(['2024-03-08', '2024-03-09', '2024-03-10']);
    });
  });
});
