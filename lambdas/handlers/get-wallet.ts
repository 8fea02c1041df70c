import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getWalletUseCase } from '../application/get-wallet';
import { walletStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { parsePathParameter } from '../shared/request';
import { sellerIdSchema } from '../shared/schemas';

const getWallet = getWalletUseCase({ store: walletStore() });

/** GET /sellers/{sellerId}/wallet */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const sellerId = parsePathParameter(event, 'sellerId', sellerIdSchema);
  if (!sellerId.ok) return toProxyResult(sellerId.outcome);
  return toProxyResult(await getWallet(sellerId.value));
}
