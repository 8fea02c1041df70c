import type { APIGatewayProxyResult } from 'aws-lambda';
import { json } from '../shared/http';

export async function handler(): Promise<APIGatewayProxyResult> {
  return json(200, { status: 'ok' });
}
