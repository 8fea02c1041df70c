import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonOutcome, toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { telemetry } from '../shared/telemetry';

async function healthHandler(): Promise<APIGatewayProxyResult> {
  return toProxyResult(jsonOutcome(200, { status: 'ok' }));
}

export const handler = observed(healthHandler, telemetry(), API_GATEWAY_REQUEST);
