/**
 * The bare-SDK baseline of the bundle benchmark: a handler that only imports the DynamoDB
 * client and creates one at module scope, as every topology function does. Bundled and
 * loaded exactly like the real handlers, so their cost reads as "this much above the SDK".
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export async function handler(): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: JSON.stringify({ region: await client.config.region() }) };
}
