import type { AppliedAmounts, SettlementLog, SettlementReport } from '../ports/completion';

/** Metric (count) of payments whose wallet and ledger applied different amounts: alarmed above 0. */
export const LEDGER_WALLET_DIVERGENCE_METRIC = 'LedgerWalletDivergence';

export type SettlementOutcome =
  /** Some consumer has not applied the payment's latest event yet (or this report repeats one). */
  | { readonly kind: 'pending' }
  /** Every consumer applied the latest event, and wallet and ledger agree on the payment's amount. */
  | { readonly kind: 'completed' }
  /** Every consumer applied it, and the wallet and the ledger moved different amounts for it. */
  | { readonly kind: 'diverged'; readonly seq: number; readonly wallet: number; readonly ledger: number };

/**
 * Records a consumer's report. When it completes the payment's latest event, the wallet's and the
 * ledger's per-payment cursors are compared: each holds its seq and the net amount applied up to
 * it in one item, so two strongly consistent reads at the same seq compare like with like. A
 * cursor that has already moved past the seq (a newer event applied meanwhile) is left to that
 * event's completion.
 */
export function recordSettlementUseCase(deps: {
  log: SettlementLog;
  clock: () => Date;
  wallet: AppliedAmounts;
  ledger: AppliedAmounts;
}) {
  return async (report: SettlementReport): Promise<SettlementOutcome> => {
    const completed = await deps.log.recordSettled(report, deps.clock().toISOString());
    if (!completed) return { kind: 'pending' };
    const [wallet, ledger] = await Promise.all([
      deps.wallet.applied(report.orderId),
      deps.ledger.applied(report.orderId),
    ]);
    if (wallet?.seq !== report.seq || ledger?.seq !== report.seq || wallet.amount === ledger.amount) {
      return { kind: 'completed' };
    }
    return { kind: 'diverged', seq: report.seq, wallet: wallet.amount, ledger: ledger.amount };
  };
}
