import type { DomainEvent } from '../domain/events';
import { isBalanced, journalFor } from '../domain/ledger';
import type { LedgerStore } from '../ports/ledger-store';

/** Records one payment event's journal transaction, exactly once (a failure only advances the cursor). */
export function recordLedgerUseCase(deps: { store: LedgerStore }) {
  return (event: DomainEvent): Promise<'applied' | 'duplicate' | 'gap'> => {
    const transaction = journalFor(event);
    // The ledger's invariant is checked where it is written, not only trusted to the mapping.
    if (transaction && !isBalanced(transaction)) {
      throw new Error(`journal transaction for ${event.eventId} does not balance`);
    }
    return deps.store.record(event, transaction);
  };
}
