import { RECONCILIATION_CLASSES } from '../domain/reconciliation';
import type { ReconciliationSummary } from '../ports/reconciliation-store';

/** Orders a person has to look at; the alarm in lib/constructs/alarms.ts watches it. */
export const RECONCILIATION_DISCREPANCIES_METRIC = 'ReconciliationDiscrepancies';

/** Every count of a run, zeros included, so the alarm sees a clean run as 0 rather than as no data. */
export function reconciliationMetrics(summary: ReconciliationSummary): [name: string, count: number][] {
  return [
    ...RECONCILIATION_CLASSES.map((cls): [string, number] => [`Reconciliation_${cls}`, summary.counts[cls]]),
    ['ReconciliationCorrections', summary.corrections.approved + summary.corrections.canceled],
    [RECONCILIATION_DISCREPANCIES_METRIC, summary.discrepancies],
    ['ReconciliationLedgerDifference', Math.abs(summary.ledger.walletsTotal - summary.ledger.sellerPayables)],
  ];
}
