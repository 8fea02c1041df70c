import { getWalletUseCase } from '../../lambdas/application/get-wallet';
import { settleWalletUseCase } from '../../lambdas/application/settle-wallet';
import type { DomainEvent } from '../../lambdas/domain/events';
import { cancel, createPayment, type Payment } from '../../lambdas/domain/payment';
import { type BalanceDelta, walletDeltas } from '../../lambdas/domain/wallet';
import type { Wallet, WalletEvent, WalletStore } from '../../lambdas/ports/wallet-store';
import { AT, accepted, checkout, operations } from './payment-fixtures';

/** A payment with two lines of seller-a and one of seller-b, approved. */
function approvedPayment(): { payment: Payment; confirmed: DomainEvent } {
  const created = accepted(
    createPayment(
      checkout({
        items: [
          { sellerId: 'seller-a', productId: 'p-1', amount: 1_000 },
          { sellerId: 'seller-b', productId: 'p-2', amount: 2_000 },
          { sellerId: 'seller-a', productId: 'p-3', amount: 3_000 },
        ],
      }),
    ),
  );
  const result = operations.approve(accepted(operations.startExecution(created)));
  if (!result.ok || !result.event) throw new Error('expected an approval event');
  return { payment: result.payment, confirmed: result.event };
}

describe('walletDeltas', () => {
  it('credits each seller once with the sum of its lines on a confirm', () => {
    expect(walletDeltas(approvedPayment().confirmed)).toEqual([
      { sellerId: 'seller-a', delta: 4_000 },
      { sellerId: 'seller-b', delta: 2_000 },
    ]);
  });

  it('debits what the cancel lines say was canceled', () => {
    const { payment } = approvedPayment();
    const result = cancel(payment, { cancelAmount: 600, cancelReason: 'returned', at: AT });
    if (!result.ok || !result.event) throw new Error('expected a cancel event');
    // 600 spread over 1,000 / 2,000 / 3,000 in proportion: 100 + 300 for seller-a, 200 for seller-b.
    expect(walletDeltas(result.event)).toEqual([
      { sellerId: 'seller-a', delta: -400 },
      { sellerId: 'seller-b', delta: -200 },
    ]);
  });

  it('leaves wallets alone on a failure', () => {
    const result = operations.decline(
      accepted(operations.startExecution(accepted(createPayment(checkout())))),
    );
    if (!result.ok || !result.event) throw new Error('expected a failure event');
    expect(walletDeltas(result.event)).toEqual([]);
  });
});

class FakeWalletStore implements WalletStore {
  readonly applied: { event: WalletEvent; deltas: readonly BalanceDelta[]; at: string }[] = [];
  constructor(private readonly wallets: Record<string, Wallet> = {}) {}

  async apply(event: WalletEvent, deltas: readonly BalanceDelta[], at: string) {
    this.applied.push({ event, deltas, at });
    return 'applied' as const;
  }

  async get(sellerId: string) {
    return this.wallets[sellerId];
  }
}

describe('settle wallet', () => {
  it('applies the deltas of the event, stamped with the clock', async () => {
    const store = new FakeWalletStore();
    const { confirmed } = approvedPayment();
    const settle = settleWalletUseCase({ store, clock: () => new Date(AT) });
    await expect(settle(confirmed)).resolves.toBe('applied');
    expect(store.applied).toEqual([{ event: confirmed, deltas: walletDeltas(confirmed), at: AT }]);
  });
});

describe('get wallet', () => {
  const wallet: Wallet = { sellerId: 'seller-a', balance: 4_000, currency: 'KRW', updatedAt: AT };
  const getWallet = getWalletUseCase({ store: new FakeWalletStore({ 'seller-a': wallet }) });

  it('answers the wallet', async () => {
    const outcome = await getWallet('seller-a');
    expect(outcome.statusCode).toBe(200);
    expect(JSON.parse(outcome.body)).toEqual(wallet);
  });

  it('answers 404 WALLET_NOT_FOUND for a seller without one', async () => {
    const outcome = await getWallet('seller-z');
    expect(outcome).toMatchObject({ statusCode: 404, contentType: 'application/problem+json' });
    expect(JSON.parse(outcome.body)).toMatchObject({ status: 404, code: 'WALLET_NOT_FOUND' });
  });
});
