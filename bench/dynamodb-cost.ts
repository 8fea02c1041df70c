import type { Context } from 'aws-lambda';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import { meteredDynamoClient, type RequestCost } from './dynamodb-meter';
import { configureHandlerEnv } from './handler-env';
import { type AuthorizedOrder, authorizedOrder } from './http';
import { mapConcurrently } from './pool';

export interface PerConfirmCost {
  readonly requestsPerConfirm: {
    readonly total: number;
    readonly byCommand: Readonly<Record<string, number>>;
  };
  readonly failedRequestsPerConfirm: Readonly<Record<string, number>>;
  /** As DynamoDB Local computes them (ReturnConsumedCapacity=TOTAL: table plus indexes). */
  readonly wcuPerConfirm: number | null;
  readonly rcuPerConfirm: number | null;
  readonly capacityUnitsByCommand: Readonly<Record<string, number>> | null;
  readonly capacityNote?: string;
}

/** The meter's figures under this section's (published) field names. */
function perConfirm({ requests, failedRequests, wcu, rcu, ...rest }: RequestCost): PerConfirmCost {
  return {
    requestsPerConfirm: requests,
    failedRequestsPerConfirm: failedRequests,
    wcuPerConfirm: wcu,
    rcuPerConfirm: rcu,
    ...rest,
  };
}

export interface DynamoDbCostSection {
  readonly confirms: number;
  readonly method: string;
  readonly firstConfirm: PerConfirmCost;
  /** The same confirms again: answered from the idempotency record. */
  readonly replay: PerConfirmCost;
  readonly statusCounts: { readonly first: Record<string, number>; readonly replay: Record<string, number> };
}

function benchContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('callback-style context methods are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'confirmPayment',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:confirmPayment',
    memoryLimitInMB: '512',
    awsRequestId: `bench-${deadline}`,
    logGroupName: '/aws/lambda/confirmPayment',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Composes the confirm use case in this process exactly as lambdas/handlers/confirm-payment.ts
 * does, but on a DynamoDB client that counts requests, pointed at the stack's DynamoDB Local.
 * Orders are set up over HTTP first, uncounted; then the confirms run one at a time.
 */
export async function measureDynamoDbCost(
  stack: LocalStackEndpoints,
  confirms: number,
): Promise<DynamoDbCostSection> {
  configureHandlerEnv(stack);
  const { paymentStore, settings, systemClock } = await import('../lambdas/shared/composition.js');
  const { confirmUseCase } = await import('../lambdas/application/confirm.js');
  const { idempotencyStore, idempotent } = await import('../lambdas/shared/idempotent.js');
  const { paymentGateway } = await import('../lambdas/shared/psp.js');
  const { telemetry } = await import('../lambdas/shared/telemetry.js');

  const { client, meter } = meteredDynamoClient(stack.dynamoEndpoint);
  // The options of lambdas/handlers/confirm-payment.ts.
  const confirm = idempotent(
    confirmUseCase({
      store: paymentStore(client),
      psp: paymentGateway(telemetry()),
      clock: systemClock,
      settings,
    }),
    {
      persistenceStore: idempotencyStore(client),
      keyPath: 'orderId',
      validationPath: '[paymentKey, amount]',
      keyPrefix: 'confirm',
      expiresAfterSeconds: 24 * 3600,
    },
  );

  const orders = await mapConcurrently(Array.from({ length: confirms }), 4, () =>
    authorizedOrder(stack.apiUrl, stack.pspUrl),
  );
  const runAll = () =>
    meter.count(async () => {
      const statuses: Record<string, number> = {};
      for (const order of orders) {
        const { statusCode } = await confirm(commandOf(order), benchContext(28_000));
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      }
      return statuses;
    });

  const first = await runAll();
  const firstConfirm = perConfirm(meter.per(confirms, 'confirm'));
  const again = await runAll();
  const replay = perConfirm(meter.per(confirms, 'confirm'));
  client.destroy();
  return {
    confirms,
    method:
      'confirm use case composed in-process like the handler (paymentStore, idempotencyStore and idempotent() with its options) on a DynamoDBClient with a counting initialize-step middleware; ReturnConsumedCapacity=TOTAL added per request; confirms sequential',
    firstConfirm,
    replay,
    statusCounts: { first, replay: again },
  };
}

function commandOf(order: AuthorizedOrder): { orderId: string; amount: number; paymentKey: string } {
  return { orderId: order.orderId, amount: order.amount, paymentKey: order.paymentKey };
}
