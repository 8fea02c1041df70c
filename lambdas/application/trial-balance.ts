import { trialBalance } from '../domain/ledger';
import type { LedgerStore } from '../ports/ledger-store';
import { type HttpOutcome, jsonOutcome } from '../shared/http';

export function trialBalanceUseCase(deps: { store: LedgerStore }) {
  return async (): Promise<HttpOutcome> => jsonOutcome(200, trialBalance(await deps.store.accounts()));
}
