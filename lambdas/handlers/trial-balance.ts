import type { APIGatewayProxyResult } from 'aws-lambda';
import { trialBalanceUseCase } from '../application/trial-balance';
import { ledgerStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { telemetry } from '../shared/telemetry';

const trialBalance = trialBalanceUseCase({ store: ledgerStore() });

/** GET /ledger/trial-balance */
async function trialBalanceHandler(): Promise<APIGatewayProxyResult> {
  return toProxyResult(await trialBalance());
}

export const handler = observed(trialBalanceHandler, telemetry(), API_GATEWAY_REQUEST);
