import { feeTransaction, isBalanced } from '../domain/ledger';
import type { LedgerStore, SettlementDay } from '../ports/ledger-store';

/** Recording loses only to another run recording the same date at the same moment; it then reads again. */
const ATTEMPTS = 5;

/**
 * Brings the ledger's PSP fees of a settlement date to what the PSP kept over the date's rows:
 * the first run records them all, a re-run that finds the same rows records nothing, and one that
 * finds rows added (or fees changed) records only the difference, as the date's next revision.
 * So every row's fee is in the ledger exactly once however often the date is reconciled.
 */
export async function recordDayFees(
  ledger: Pick<LedgerStore, 'feesRecorded' | 'recordFees'>,
  day: SettlementDay,
  kept: number,
  at: string,
): Promise<{ amount: number; added: number }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const recorded = await ledger.feesRecorded(day);
    const added = kept - recorded.amount;
    if (added === 0) return { amount: kept, added: 0 };
    const transaction = feeTransaction(day, recorded.revision + 1, added, at);
    if (!isBalanced(transaction)) throw new Error(`fee transaction of ${day.date} does not balance`);
    if (await ledger.recordFees(transaction)) return { amount: kept, added };
  }
  throw new Error(`could not record the PSP fees of ${day.date}: another run kept recording them`);
}
