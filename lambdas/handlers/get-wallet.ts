import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getWalletUseCase } from '../application/get-wallet';
import { walletStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { pathParameter } from '../shared/request';
import { telemetry } from '../shared/telemetry';

const getWallet = getWalletUseCase({ store: walletStore() });

/** GET /sellers/{sellerId}/wallet */
async function getWalletHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return toProxyResult(await getWallet(pathParameter(event, 'sellerId')));
}

export const handler = observed(getWalletHandler, telemetry(), API_GATEWAY_REQUEST);
