import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonOutcome, toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { pspConfigured } from '../shared/psp';
import { telemetry } from '../shared/telemetry';

/** GET /health — public: says whether the PSP key is set, never anything about its value. */
async function healthHandler(): Promise<APIGatewayProxyResult> {
  const body = (await pspConfigured()) ? { status: 'ok' } : { status: 'degraded', psp: 'not-configured' };
  return toProxyResult(jsonOutcome(200, body));
}

export const handler = observed(healthHandler, telemetry(), API_GATEWAY_REQUEST);
