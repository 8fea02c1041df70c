/**
 * The baseline of the bundle benchmark: the least a payment handler of this stack imports, the
 * DynamoDB client, Powertools idempotency over DynamoDB and the Powertools logger, each used at
 * module scope. Bundled and loaded exactly like the real handlers, so their cost reads as "this
 * much above the minimum".
 */
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const logger = new Logger();
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: 'baseline',
  awsSdkV3Client: new DynamoDBClient({}),
});

export const handler = makeIdempotent(
  async (event: { id: string }) => {
    logger.info('handled', { id: event.id });
    return { statusCode: 200 };
  },
  { persistenceStore },
);
