import type { AccountTotals, FeeTransaction, JournalTransaction } from '../domain/ledger';

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
  /** The PSP fees recorded for a settlement date so far, and how many fee transactions hold them. */
  feesRecorded(day: SettlementDay): Promise<{ readonly amount: number; readonly revision: number }>;
  /**
   * Records a date's next fee transaction (revision one more than recorded); false, writing nothing,
   * when another run recorded that revision first.
   */
  recordFees(transaction: FeeTransaction): Promise<boolean>;
}

/** A settlement date, as the PSP's rows were read by it. */
export interface SettlementDay {
  readonly date: string;
  readonly dateType: string;
}
