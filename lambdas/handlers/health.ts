import type { APIGatewayProxyResult } from 'aws-lambda';
import { pspConfigured } from '../shared/composition';
import { jsonOutcome, toProxyResult } from '../shared/http';

/** GET /health — public: says whether the PSP key is set, never anything about its value. */
export async function handler(): Promise<APIGatewayProxyResult> {
  const body = (await pspConfigured()) ? { status: 'ok' } : { status: 'degraded', psp: 'not-configured' };
  return toProxyResult(jsonOutcome(200, body));
}
