import type { APIGatewayProxyResult } from 'aws-lambda';
import { trialBalanceUseCase } from '../application/trial-balance';
import { ledgerStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';

const trialBalance = trialBalanceUseCase({ store: ledgerStore() });

/** GET /ledger/trial-balance */
export async function handler(): Promise<APIGatewayProxyResult> {
  return toProxyResult(await trialBalance());
}
