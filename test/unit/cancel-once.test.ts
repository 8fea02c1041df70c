import { cancel } from '../../lambdas/domain/payment';
import { AT, accepted, paymentIn } from './payment-fixtures';

/** A cancel the PSP made under one idempotency key is recorded once, however often it is replayed. */
describe('cancel recorded once per PSP cancel key', () => {
  const command = { cancelAmount: 1_000, cancelReason: 'returned', at: AT, cancelKey: 'cancel-order-1-k1' };

  it('keeps the key with the cancel and refuses a second record of it', () => {
    const once = accepted(cancel(paymentIn('SUCCESS'), command));
    expect(once).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 5_000,
      cancelKeys: [command.cancelKey],
    });
    expect(cancel(once, command)).toEqual({ ok: false, reason: 'CANCEL_ALREADY_RECORDED' });
  });

  it('records a cancel under another key, and one without a key (a correction)', () => {
    const once = accepted(cancel(paymentIn('SUCCESS'), command));
    const twice = accepted(cancel(once, { ...command, cancelKey: 'cancel-order-1-k2' }));
    expect(twice).toMatchObject({
      balanceAmount: 4_000,
      cancelKeys: [command.cancelKey, 'cancel-order-1-k2'],
    });
    const corrected = accepted(cancel(twice, { cancelAmount: 500, cancelReason: 'correction', at: AT }));
    expect(corrected).toMatchObject({ balanceAmount: 3_500, cancelKeys: twice.cancelKeys });
  });
});
