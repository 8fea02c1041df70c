import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getWalletUseCase } from '../application/get-wallet';
import { walletStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { pathParameter } from '../shared/request';

const getWallet = getWalletUseCase({ store: walletStore() });

/** GET /sellers/{sellerId}/wallet */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return toProxyResult(await getWallet(pathParameter(event, 'sellerId')));
}
