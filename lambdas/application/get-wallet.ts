import type { WalletStore } from '../ports/wallet-store';
import { type HttpOutcome, jsonOutcome, problemOutcome } from '../shared/http';

export function getWalletUseCase(deps: { store: WalletStore }) {
  return async (sellerId: string): Promise<HttpOutcome> => {
    const wallet = await deps.store.get(sellerId);
    if (!wallet) {
      return problemOutcome({
        status: 404,
        code: 'WALLET_NOT_FOUND',
        title: 'Wallet not found',
        detail: `No wallet for seller ${sellerId}.`,
      });
    }
    return jsonOutcome(200, {
      sellerId: wallet.sellerId,
      balance: wallet.balance,
      currency: wallet.currency,
      updatedAt: wallet.updatedAt,
    });
  };
}
