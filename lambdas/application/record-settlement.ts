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
 * Handles a consumer's report. The consumers' per-payment cursors are the record of what each has
 * applied: once both have reached the report's seq, the payment's latest event is complete and
 * comes off the completion sweeper's index (one conditional write, once per event: a second report
 * that sees the same finds it done). Each cursor holds its seq and the net amount applied up to it
 * in one item, so two strongly consistent reads at the same seq also compare wallet and ledger like
 * with like. A cursor that has already moved past the seq (a newer event applied meanwhile) is
 * left to that event's completion.
 */
export function recordSettlementUseCase(deps: {
  log: SettlementLog;
  wallet: AppliedAmounts;
  ledger: AppliedAmounts;
}) {
  return async (report: SettlementReport): Promise<SettlementOutcome> => {
    const [wallet, ledger] = await Promise.all([
      deps.wallet.applied(report.orderId),
      deps.ledger.applied(report.orderId),
    ]);
    if ((wallet?.seq ?? 0) < report.seq || (ledger?.seq ?? 0) < report.seq) return { kind: 'pending' };
    if (!(await deps.log.completeEvent(report.orderId, report.seq))) return { kind: 'pending' };
    if (wallet?.seq !== report.seq || ledger?.seq !== report.seq || wallet.amount === ledger.amount) {
      return { kind: 'completed' };
    }
    return { kind: 'diverged', seq: report.seq, wallet: wallet.amount, ledger: ledger.amount };
  };
}
