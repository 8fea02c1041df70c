import type { AccountTotals, JournalTransaction } from '../domain/ledger';

export interface LedgerEvent {
  readonly eventId: string;
  readonly orderId: string;
  readonly seq: number;
}

export interface LedgerStore {
  /**
   * Records an event's journal transaction (none for an event that moves no money) exactly once
   * and in order per payment: 'duplicate' when it was recorded before, 'gap' when its
   * predecessor was not recorded yet (nothing is written then).
   */
  record(
    event: LedgerEvent,
    transaction: JournalTransaction | undefined,
  ): Promise<'applied' | 'duplicate' | 'gap'>;
  /** Running debit and credit totals of every account, in account order. */
  accounts(): Promise<AccountTotals[]>;
}
