import type { InternalPayment, LedgerCheck, ReconciliationClass } from '../domain/reconciliation';

/** The outcome of one reconciliation run of a Seoul day; a re-run overwrites it. */
export interface ReconciliationSummary {
  readonly date: string;
  readonly generatedAt: string;
  /** The day was still open: nothing was corrected or stored, this is what a run found. */
  readonly dryRun: boolean;
  /** Which date of the PSP's rows `date` is. */
  readonly dateType: string;
  readonly settlementRows: number;
  /** Orders with evidence on either side. */
  readonly orders: number;
  /** Approvals minus cancels the PSP settled that day. */
  readonly pspNetAmount: number;
  /** What the PSP charged, pays out and kept (amount less payout) over the day's rows. */
  readonly psp: {
    readonly fee: number;
    readonly payOut: number;
    readonly kept: number;
    /** Rows whose payout is not their amount less their fee. */
    readonly payOutMismatches: number;
  };
  /** The PSP fees the ledger holds for the day (what the PSP kept), and what this run added. */
  readonly ledgerFees: { readonly recorded: number; readonly added: number };
  /** Orders per class after this run's corrections, so a re-run reports the same counts. */
  readonly counts: Readonly<Record<ReconciliationClass, number>>;
  /** Corrections this run applied (a re-run applies none). */
  readonly corrections: { readonly approved: number; readonly canceled: number };
  /**
   * What the alarm counts: orders left for a person (not MATCHED), every correction applied (some
   * healing path missed it) and rows whose payout does not add up.
   */
  readonly discrepancies: number;
  readonly ledger: LedgerCheck;
}

/** Our side of reconciliation, read from the payments table. */
export interface ReconciliationStore {
  /** The approval-day index is split into this many shards. */
  readonly dayShards: number;
  /** A cheap 32-bit hash of the orderId; the order sits in day-index shard `hash % dayShards`. */
  partitionHash(orderId: string): number;
  /** Pages of the payments approved on a Seoul day (SUCCESS, PARTIAL_CANCELED, CANCELED) in one shard. */
  approvedOn(date: string, shard: number): AsyncIterable<readonly InternalPayment[]>;
  /** The payments that exist among `orderIds`, in any order. */
  findPayments(orderIds: readonly string[]): Promise<InternalPayment[]>;
  saveSummary(summary: ReconciliationSummary): Promise<void>;
  /** Which of `dates` have a summary, i.e. a completed run. */
  completedDays(dates: readonly string[]): Promise<Set<string>>;
}

/** The sum of every seller's wallet balance, for the ledger check. */
export interface WalletTotals {
  totalBalance(): Promise<number>;
}
