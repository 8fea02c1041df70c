/**
 * The virtual-account (가상계좌) state transitions: an issued account awaits its deposit without
 * moving money, the deposit approves it, expiry fails it, a deposit the PSP takes back reverses the
 * credit; a deposited payment is refunded only to a named account. And `depositStep`, which reads the
 * PSP's view of the lifecycle against ours.
 */
import { journalFor } from '../../lambdas/domain/ledger';
import {
  approve,
  cancel,
  decline,
  type Payment,
  type PaymentStatus,
  requestCancel,
  reverseDeposit,
} from '../../lambdas/domain/payment';
import {
  DEPOSIT_EXPIRED,
  DEPOSIT_GRACE_MS,
  depositStep,
  type PspDepositView,
} from '../../lambdas/domain/virtual-account';
import { walletDeltas } from '../../lambdas/domain/wallet';
import {
  APPROVED_AT,
  AT,
  accepted,
  operations,
  PAYMENT_KEY,
  paymentIn,
  VIRTUAL_ACCOUNT,
} from './payment-fixtures';

const REFUND_ACCOUNT = { bank: '20', accountNumber: '1002123456789', holderName: '김토스' };

function deposited(): Payment {
  return accepted(
    approve(paymentIn('AWAITING_DEPOSIT'), { at: AT, paymentKey: PAYMENT_KEY, approvedAt: APPROVED_AT }),
  );
}

describe('virtual-account transitions', () => {
  it('an issued account is AWAITING_DEPOSIT with the account and secret, and no event: no money moved', () => {
    const executing = paymentIn('EXECUTING');
    const result = operations.awaitDeposit(executing);
    expect(result.ok && result.event).toBeUndefined();
    expect(accepted(result)).toMatchObject({
      status: 'AWAITING_DEPOSIT',
      virtualAccount: VIRTUAL_ACCOUNT,
      depositSecret: 'ps_1',
      eventSeq: executing.eventSeq,
    });
  });

  it('the deposit approves it with the usual PaymentConfirmed over every line', () => {
    const result = approve(paymentIn('AWAITING_DEPOSIT'), {
      at: AT,
      paymentKey: PAYMENT_KEY,
      approvedAt: APPROVED_AT,
    });
    expect(accepted(result)).toMatchObject({ status: 'SUCCESS', approvedAt: APPROVED_AT, eventSeq: 1 });
    expect(result.ok && result.event).toMatchObject({ type: 'PaymentConfirmed', amount: 6_000, seq: 1 });
  });

  it('expiry fails it with EXPIRED (PaymentFailed moves nothing)', () => {
    const result = decline(paymentIn('AWAITING_DEPOSIT'), {
      at: AT,
      code: DEPOSIT_EXPIRED,
      message: 'expired',
    });
    expect(accepted(result)).toMatchObject({ status: 'FAILURE', failure: { code: 'EXPIRED' } });
    expect(result.ok && result.event?.type).toBe('PaymentFailed');
  });

  it.each<PaymentStatus>(['NOT_STARTED', 'SUCCESS', 'FAILURE', 'AWAITING_DEPOSIT', 'CANCELED'])(
    'no account is issued to a %s payment',
    (status) => {
      expect(operations.awaitDeposit(paymentIn(status))).toEqual({ ok: false, reason: 'INVALID_STATE' });
    },
  );

  describe('a deposit the PSP takes back', () => {
    it('returns the payment to AWAITING_DEPOSIT and its event reverses the confirm, line for line', () => {
      const paid = deposited();
      const result = reverseDeposit(paid, { at: AT });
      const after = accepted(result);
      expect(after).toMatchObject({ status: 'AWAITING_DEPOSIT', balanceAmount: 6_000, eventSeq: 2 });
      expect(after.approvedAt).toBeUndefined();
      if (!result.ok || !result.event) throw new Error('expected an event');
      expect(result.event).toMatchObject({ type: 'PaymentDepositReversed', seq: 2, amount: 6_000 });
      const confirm = approve(paymentIn('AWAITING_DEPOSIT'), {
        at: AT,
        paymentKey: PAYMENT_KEY,
        approvedAt: APPROVED_AT,
      });
      if (!confirm.ok || !confirm.event) throw new Error('expected an event');
      // Wallet and ledger: the reversal undoes exactly what the confirm did.
      const net = new Map<string, number>();
      for (const { sellerId, delta } of [...walletDeltas(confirm.event), ...walletDeltas(result.event)]) {
        net.set(sellerId, (net.get(sellerId) ?? 0) + delta);
      }
      expect([...net.values()]).toEqual([0, 0, 0]);
      const [confirmEntries, reversalEntries] = [journalFor(confirm.event), journalFor(result.event)];
      expect(reversalEntries?.entries).toEqual(
        confirmEntries?.entries.map(({ account, debit, credit }) => ({
          account,
          debit: credit,
          credit: debit,
        })),
      );
      // And the next deposit approves it again.
      expect(
        accepted(approve(after, { at: AT, paymentKey: PAYMENT_KEY, approvedAt: APPROVED_AT })).status,
      ).toBe('SUCCESS');
    });

    it('is refused once part of the payment was refunded, and for a card payment', () => {
      const refunded = accepted(
        cancel(deposited(), { at: AT, cancelAmount: 1_000, cancelReason: 'r', transactionKey: 't1' }),
      );
      expect(reverseDeposit(refunded, { at: AT })).toEqual({ ok: false, reason: 'INVALID_STATE' });
      const partlyCanceledSuccess = { ...refunded, status: 'SUCCESS' as const };
      expect(reverseDeposit(partlyCanceledSuccess, { at: AT })).toEqual({
        ok: false,
        reason: 'DEPOSIT_NOT_REVERSIBLE',
      });
      expect(reverseDeposit(paymentIn('SUCCESS'), { at: AT })).toEqual({
        ok: false,
        reason: 'DEPOSIT_NOT_REVERSIBLE',
      });
      expect(reverseDeposit(paymentIn('AWAITING_DEPOSIT'), { at: AT })).toEqual({
        ok: false,
        reason: 'INVALID_STATE',
      });
    });
  });

  describe('refunds of a deposit', () => {
    const ask = (payment: Payment, refundReceiveAccount?: typeof REFUND_ACCOUNT) =>
      requestCancel(payment, {
        at: AT,
        requestKey: 'cancel-1',
        cancelReason: 'returned',
        ...(refundReceiveAccount ? { refundReceiveAccount } : {}),
      });

    it('need the account to refund to; the intent keeps it for recovery', () => {
      expect(ask(deposited())).toEqual({ ok: false, reason: 'REFUND_ACCOUNT_REQUIRED' });
      const intent = ask(deposited(), REFUND_ACCOUNT);
      expect(intent).toMatchObject({
        ok: true,
        kind: 'pending',
        pending: { amount: 6_000, refundReceiveAccount: REFUND_ACCOUNT },
      });
    });

    it('a card payment needs none', () => {
      expect(ask(paymentIn('SUCCESS'))).toMatchObject({ ok: true, kind: 'pending' });
    });

    it('an account awaiting its deposit has nothing to refund', () => {
      expect(ask(paymentIn('AWAITING_DEPOSIT'), REFUND_ACCOUNT)).toEqual({
        ok: false,
        reason: 'INVALID_STATE',
      });
    });
  });
});

describe('depositStep', () => {
  const NOW = new Date('2024-02-15T00:00:00.000Z');
  const DUE = '2024-02-20T23:59:59+09:00';
  const view = (status: string, overrides: Partial<PspDepositView> = {}): PspDepositView => ({
    paymentKey: PAYMENT_KEY,
    status,
    virtualAccount: { ...VIRTUAL_ACCOUNT, dueDate: DUE },
    secret: 'ps_1',
    ...overrides,
  });
  const ours = (status: PaymentStatus) => ({ status, paymentKey: PAYMENT_KEY });
  const lookAt = new Date(Date.parse(DUE) + DEPOSIT_GRACE_MS).toISOString();
  const afterGrace = new Date(Date.parse(lookAt) + 1);

  it.each<[PaymentStatus, PspDepositView, Date, unknown]>([
    // A confirm in flight learns of its account: recorded, looked at again at the due date.
    [
      'UNKNOWN',
      view('WAITING_FOR_DEPOSIT'),
      NOW,
      {
        kind: 'await',
        lookAt,
        paymentKey: PAYMENT_KEY,
        virtualAccount: { ...VIRTUAL_ACCOUNT, dueDate: DUE },
        depositSecret: 'ps_1',
      },
    ],
    ['AWAITING_DEPOSIT', view('WAITING_FOR_DEPOSIT'), NOW, { kind: 'wait', lookAt }],
    // Expired: by the PSP's flag, or by the clock once the grace after the due date has passed.
    [
      'AWAITING_DEPOSIT',
      view('WAITING_FOR_DEPOSIT', { virtualAccount: { ...VIRTUAL_ACCOUNT, dueDate: DUE, expired: true } }),
      NOW,
      { kind: 'expire', code: 'EXPIRED', message: expect.any(String) },
    ],
    [
      'AWAITING_DEPOSIT',
      view('WAITING_FOR_DEPOSIT'),
      new Date(Date.parse(lookAt) - 1),
      { kind: 'wait', lookAt },
    ],
    [
      'AWAITING_DEPOSIT',
      view('WAITING_FOR_DEPOSIT'),
      afterGrace,
      { kind: 'expire', code: 'EXPIRED', message: expect.any(String) },
    ],
    [
      'EXECUTING',
      view('WAITING_FOR_DEPOSIT'),
      afterGrace,
      { kind: 'expire', code: 'EXPIRED', message: expect.any(String) },
    ],
    // Canceled or expired before any deposit.
    [
      'AWAITING_DEPOSIT',
      view('CANCELED'),
      NOW,
      { kind: 'expire', code: 'EXPIRED', message: expect.any(String) },
    ],
    [
      'AWAITING_DEPOSIT',
      view('EXPIRED'),
      NOW,
      { kind: 'expire', code: 'EXPIRED', message: expect.any(String) },
    ],
    ['UNKNOWN', view('CANCELED'), NOW, { kind: 'expire', code: 'EXPIRED', message: expect.any(String) }],
    // A card payment's end is not ours to read here (recovery fails it with the PSP's status).
    ['UNKNOWN', view('ABORTED', { virtualAccount: undefined }), NOW, { kind: 'none' }],
    // Deposited then canceled: the approval and the cancels are ordinary facts.
    ['AWAITING_DEPOSIT', view('CANCELED', { approvedAt: APPROVED_AT }), NOW, { kind: 'none' }],
    ['AWAITING_DEPOSIT', view('DONE', { approvedAt: APPROVED_AT }), NOW, { kind: 'none' }],
    // The deposit taken back.
    ['SUCCESS', view('WAITING_FOR_DEPOSIT'), NOW, { kind: 'reverse', lookAt }],
    ['PARTIAL_CANCELED', view('WAITING_FOR_DEPOSIT'), NOW, { kind: 'mismatch', reason: expect.any(String) }],
    ['FAILURE', view('WAITING_FOR_DEPOSIT'), NOW, { kind: 'none' }],
    // Nothing the PSP shows of another paymentKey is ours.
    ['AWAITING_DEPOSIT', view('CANCELED', { paymentKey: 'other' }), NOW, { kind: 'none' }],
    // An account without a readable due date is for a person, never expired by guess.
    [
      'UNKNOWN',
      view('WAITING_FOR_DEPOSIT', { virtualAccount: { ...VIRTUAL_ACCOUNT, dueDate: 'soon' } }),
      NOW,
      { kind: 'mismatch', reason: expect.any(String) },
    ],
    [
      'UNKNOWN',
      view('WAITING_FOR_DEPOSIT', { virtualAccount: undefined }),
      NOW,
      { kind: 'mismatch', reason: expect.any(String) },
    ],
    ['SUCCESS', view('DONE'), NOW, { kind: 'none' }],
  ])('we hold %s, the PSP shows %o (at %s): %o', (status, psp, now, step) => {
    expect(depositStep(ours(status), psp, now)).toEqual(step);
  });
});
