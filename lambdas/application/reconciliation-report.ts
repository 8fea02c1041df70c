import {
  type Correction,
  type LedgerCheck,
  netSettled,
  RECONCILIATION_CLASSES,
  type ReconciliationClass,
  type SettlementTotals,
} from '../domain/reconciliation';
import type { ReconciliationSummary } from '../ports/reconciliation-store';
import type { ReportSink } from '../ports/report-sink';
import type { OrderOutcome } from './reconcile-order';

const CSV_COLUMNS = [
  'orderId',
  'class',
  'action',
  'reason',
  'pspPaymentKey',
  'pspApproved',
  'pspCanceled',
  'internalStatus',
  'internalAmount',
  'internalBalance',
  'pspFee',
  'pspPayOut',
] as const;

/** RFC 4180: quote a field holding a separator, quote or line break, doubling inner quotes. */
function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function describe(correction: Correction): string {
  return correction.kind === 'approve' ? 'APPROVED' : `CANCELED ${correction.cancelAmount}`;
}

/** What a person reading the CSV should know was done: the corrections, or that it is theirs. */
function action(outcome: OrderOutcome): string {
  if (outcome.applied.length > 0) return outcome.applied.map(describe).join('; ');
  return outcome.final === 'MATCHED' ? 'RESOLVED_CONCURRENTLY' : 'REVIEW';
}

/**
 * Tallies order outcomes into the summary and the CSV of discrepancies. Only orders that were not
 * MATCHED as found keep a line, so memory follows the discrepancies, not the day's volume.
 */
export class ReconciliationReport {
  private readonly counts = Object.fromEntries(RECONCILIATION_CLASSES.map((c) => [c, 0])) as Record<
    ReconciliationClass,
    number
  >;
  private readonly corrections = { approved: 0, canceled: 0 };
  private orders = 0;
  private pspNetAmount = 0;
  private readonly csvLines: string[] = [CSV_COLUMNS.join(',')];

  constructor(private readonly date: string) {}

  add(outcome: OrderOutcome): void {
    this.orders += 1;
    this.counts[outcome.final] += 1;
    if (outcome.psp) this.pspNetAmount += netSettled(outcome.psp);
    for (const correction of outcome.applied) {
      if (correction.kind === 'approve') this.corrections.approved += 1;
      else this.corrections.canceled += 1;
    }
    if (outcome.found === 'MATCHED' && outcome.applied.length === 0) return;
    const { psp, internal } = outcome;
    this.csvLines.push(
      [
        outcome.orderId,
        outcome.found,
        action(outcome),
        outcome.reason,
        psp?.paymentKey,
        psp?.approved,
        psp?.canceled,
        internal?.status,
        internal?.amount,
        internal?.balanceAmount,
        psp?.fee,
        psp?.payOut,
      ]
        .map(csvField)
        .join(','),
    );
  }

  summary(run: {
    generatedAt: string;
    dryRun: boolean;
    dateType: string;
    totals: SettlementTotals;
    fees: ReconciliationSummary['ledgerFees'];
    ledger: LedgerCheck;
  }): ReconciliationSummary {
    const { totals } = run;
    const corrected = this.corrections.approved + this.corrections.canceled;
    return {
      date: this.date,
      generatedAt: run.generatedAt,
      dryRun: run.dryRun,
      dateType: run.dateType,
      settlementRows: totals.rows,
      orders: this.orders,
      pspNetAmount: this.pspNetAmount,
      psp: {
        fee: totals.fee,
        payOut: totals.payOut,
        kept: totals.kept,
        payOutMismatches: totals.payOutMismatches,
      },
      ledgerFees: run.fees,
      counts: { ...this.counts },
      corrections: { ...this.corrections },
      discrepancies: this.orders - this.counts.MATCHED + corrected + totals.payOutMismatches,
      ledger: run.ledger,
    };
  }

  /** `reconciliation/<date>/report.json` and `.../discrepancies.csv`; returns their locations. */
  async write(sink: ReportSink, summary: ReconciliationSummary): Promise<string[]> {
    const prefix = `reconciliation/${this.date}`;
    return [
      await sink.put(`${prefix}/report.json`, `${JSON.stringify(summary, null, 2)}\n`, 'application/json'),
      await sink.put(`${prefix}/discrepancies.csv`, `${this.csvLines.join('\r\n')}\r\n`, 'text/csv'),
    ];
  }
}
