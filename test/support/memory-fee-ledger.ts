import type { FeeTransaction } from '../../lambdas/domain/ledger';
import type { LedgerStore, SettlementDay } from '../../lambdas/ports/ledger-store';

/** The ledger's PSP-fee records in memory, with the store's revision condition. */
export class MemoryFeeLedger implements Pick<LedgerStore, 'feesRecorded' | 'recordFees'> {
  readonly transactions: FeeTransaction[] = [];
  private readonly recorded = new Map<string, { amount: number; revision: number }>();

  async feesRecorded({ date, dateType }: SettlementDay) {
    return this.recorded.get(`${dateType}#${date}`) ?? { amount: 0, revision: 0 };
  }

  async recordFees(transaction: FeeTransaction): Promise<boolean> {
    const current = await this.feesRecorded(transaction);
    if (current.revision !== transaction.revision - 1) return false;
    this.recorded.set(`${transaction.dateType}#${transaction.date}`, {
      amount: current.amount + transaction.amount,
      revision: transaction.revision,
    });
    this.transactions.push(transaction);
    return true;
  }
}
