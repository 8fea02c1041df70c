import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getWalletUseCase } from '../application/get-wallet';
import { walletStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { parsePathParameter } from '../shared/request';
import { sellerIdSchema } from '../shared/schemas';
import { telemetry } from '../shared/telemetry';

const getWallet = getWalletUseCase({ store: walletStore() });

/** GET /sellers/{sellerId}/wallet */
async function getWalletHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const sellerId = parsePathParameter(event, 'sellerId', sellerIdSchema);
  if (!sellerId.ok) return toProxyResult(sellerId.outcome);
  return toProxyResult(await getWallet(sellerId.value));
}

export const handler = observed(getWalletHandler, telemetry(), API_GATEWAY_REQUEST);
