import type { Currency } from '../domain/money';
import type { BalanceDelta } from '../domain/wallet';

/** What a seller's wallet shows. */
export interface Wallet {
  readonly sellerId: string;
  readonly balance: number;
  readonly currency: string;
  readonly updatedAt: string;
}

export interface WalletEvent {
  readonly eventId: string;
  readonly orderId: string;
  readonly seq: number;
  readonly currency: Currency;
}

export interface WalletStore {
  /**
   * Applies an event's deltas exactly once and in order per payment: 'duplicate' when it was
   * applied before, 'gap' when its predecessor was not applied yet (nothing is written then).
   */
  apply(
    event: WalletEvent,
    deltas: readonly BalanceDelta[],
    at: string,
  ): Promise<'applied' | 'duplicate' | 'gap'>;
  get(sellerId: string): Promise<Wallet | undefined>;
}
