import type { DomainEvent } from '../domain/events';
import { walletDeltas } from '../domain/wallet';
import type { WalletStore } from '../ports/wallet-store';

/** Moves the sellers' balances for one payment event, exactly once (a failure only advances the cursor). */
export function settleWalletUseCase(deps: { store: WalletStore; clock: () => Date }) {
  return (event: DomainEvent): Promise<'applied' | 'duplicate' | 'gap'> =>
    deps.store.apply(event, walletDeltas(event), deps.clock().toISOString());
}
