/** The consumers whose progress a payment shows (`walletSettled`, `ledgerRecorded`). */
export const SETTLING_CONSUMERS = ['wallet', 'ledger'] as const;
export type SettlingConsumer = (typeof SETTLING_CONSUMERS)[number];

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
  /**
   * Takes the payment off the completion sweeper's index when its latest event is `seq` (the
   * caller has seen every consumer's cursor there). True for the one call that does it per event.
   */
  completeEvent(orderId: string, seq: number): Promise<boolean>;
}

/** What one consumer has applied of one payment, as a single item holds it (read consistently). */
export interface AppliedAmount {
  /** The payment's latest event seq this consumer applied. */
  readonly seq: number;
  /** Net money the applied events moved to the payment's sellers, in minor units. */
  readonly amount: number;
}

export interface AppliedAmounts {
  applied(orderId: string): Promise<AppliedAmount | undefined>;
}
