/** The consumers whose progress a payment shows (`walletSettled`, `ledgerRecorded`). */
export type SettlingConsumer = 'wallet' | 'ledger';

/** "I have applied event `seq` of this payment." Sent after the effect commits, and again on duplicates. */
export interface SettlementReport {
  readonly consumer: SettlingConsumer;
  readonly orderId: string;
  readonly seq: number;
  readonly eventId: string;
}

export interface CompletionReporter {
  report(report: SettlementReport): Promise<void>;
}

export interface SettlementLog {
  /** Keeps the highest seq each consumer has applied for a payment; an older report changes nothing. */
  recordSettled(report: SettlementReport, at: string): Promise<void>;
}
