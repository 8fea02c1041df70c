import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { documentClient } from '../../lambdas/shared/composition';
import { createTableLike, dropTables, localDynamo } from './events';

/** The secret key the local stack's PSP simulator accepts. */
export const SIM_SECRET_KEY = 'test_sk_local_simulator';
/** The Authorization header the simulator's console routes (a console cancel) take, as Toss's API does. */
export const SIM_PSP_AUTH = `Basic ${Buffer.from(`${SIM_SECRET_KEY}:`).toString('base64')}`;

export interface GatewayTimeouts {
  readonly requestTimeoutMs: number;
  readonly retryBudgetMs: number;
}

/** Our Toss adapter pointed at `baseUrl` (the simulator, or somewhere that never answers). */
export function simGateway(
  baseUrl: string,
  timeouts: GatewayTimeouts = { requestTimeoutMs: 1_000, retryBudgetMs: 2_000 },
): TossPaymentGateway {
  return new TossPaymentGateway({ baseUrl, secretKey: async () => SIM_SECRET_KEY, ...timeouts });
}

export interface OwnPayments {
  dynamo: DynamoDBClient;
  store: DynamoDbPaymentStore;
  psp: TossPaymentGateway;
  tableName: string;
}

/**
 * A test file's own payments table in DynamoDB Local (so the local stack's scheduled jobs never touch
 * its payments), with a store on it and a gateway to the PSP simulator: filled in before the file's
 * tests, dropped after them.
 */
export function ownPaymentsTable(prefix: string, timeouts?: GatewayTimeouts): OwnPayments {
  const own = {} as OwnPayments;
  beforeAll(async () => {
    if (!process.env.PSP_URL || !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
      throw new Error('the integration tier needs the local stack (PSP_URL, AWS_ENDPOINT_URL_DYNAMODB)');
    }
    own.dynamo = localDynamo();
    own.tableName = (await createTableLike(own.dynamo, 'payments', prefix)).name;
    own.store = new DynamoDbPaymentStore(documentClient(own.dynamo), own.tableName);
    own.psp = simGateway(process.env.PSP_URL, timeouts);
  });
  afterAll(async () => {
    await dropTables(own.dynamo, [own.tableName]);
    own.dynamo?.destroy();
  }, 30_000);
  return own;
}
