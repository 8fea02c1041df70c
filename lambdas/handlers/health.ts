import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonOutcome, toProxyResult } from '../shared/http';

export async function handler(): Promise<APIGatewayProxyResult> {
  return toProxyResult(jsonOutcome(200, { status: 'ok' }));
}
