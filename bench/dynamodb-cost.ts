import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { topology } from '../lib/topology';
import { localPrincipals } from '../local/runtime/sigv4';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import {
  type BilledTable,
  billedTableOf,
  type DeliveryBookkeeping,
  deliveryBookkeeping,
} from './dynamodb-billing';
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
  readonly awsModelWcu?: number;
  readonly awsModelWcuByCommand?: Readonly<Record<string, number>>;
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

/** The confirms of orders of one size. */
export interface OrderSizeCost {
  readonly lines: number;
  readonly firstConfirm: PerConfirmCost;
  /** The same confirms again: answered from the idempotency record. */
  readonly replay: PerConfirmCost;
  readonly statusCounts: { readonly first: Record<string, number>; readonly replay: Record<string, number> };
  /**
   * By the same model, what the event then costs on the payment item (its own outbox slot): the
   * publisher's mark and the completion. Both grow with the payment item, so with the order's lines.
   */
  readonly deliveryBookkeeping: DeliveryBookkeeping;
}

export interface DynamoDbCostSection {
  readonly confirms: number;
  readonly method: string;
  readonly billingModel: string;
  /** Two-line orders, then 50-line orders (the contract's most). */
  readonly byOrderSize: readonly OrderSizeCost[];
}

/** The payments and idempotency tables as the bench's environment names them, with their indexes. */
function billedTables(): Record<string, BilledTable> {
  const billed: Record<string, BilledTable> = {};
  for (const spec of Object.values(topology.tables)) {
    const name = process.env[spec.envVar];
    if (!name) continue;
    billed[name] = billedTableOf(spec);
  }
  return billed;
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
  orderSizes: readonly number[],
): Promise<DynamoDbCostSection> {
  configureHandlerEnv(stack);
  const { paymentStore, settings, systemClock } = await import('../lambdas/shared/composition.js');
  const { confirmUseCase } = await import('../lambdas/application/confirm.js');
  const { idempotencyStore, idempotent } = await import('../lambdas/shared/idempotent.js');
  const { paymentGateway } = await import('../lambdas/shared/psp.js');
  const { telemetry } = await import('../lambdas/shared/telemetry.js');

  const { client, meter } = meteredDynamoClient(stack.dynamoEndpoint, billedTables());
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

  const measure = async (lines: number): Promise<OrderSizeCost> => {
    const orders = await mapConcurrently(Array.from({ length: confirms }), 4, () =>
      authorizedOrder(stack.apiUrl, stack.pspUrl, lines),
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
    const [sample] = orders;
    if (!sample) throw new Error('no order to bill');
    const paymentsTable = process.env.PAYMENTS_TABLE ?? '';
    const { Item: payment } = await client.send(
      new GetItemCommand({
        TableName: paymentsTable,
        Key: { pk: { S: `PAYMENT#${sample.orderId}` }, sk: { S: '#PAYMENT' } },
        ConsistentRead: true,
      }),
    );
    const billed = billedTables()[paymentsTable];
    if (!payment || !billed) throw new Error(`payment ${sample.orderId} not found to bill`);
    return {
      lines,
      firstConfirm,
      replay,
      statusCounts: { first, replay: again },
      deliveryBookkeeping: deliveryBookkeeping(payment, billed),
    };
  };

  const byOrderSize: OrderSizeCost[] = [];
  try {
    for (const lines of orderSizes) byOrderSize.push(await measure(lines));
  } finally {
    meter.close();
    client.destroy();
  }
  return {
    confirms,
    method:
      'confirm use case composed in-process like the handler (paymentStore, idempotencyStore and idempotent() with its options) on a DynamoDBClient with a counting initialize-step middleware; ReturnConsumedCapacity=TOTAL added per request; confirms sequential',
    billingModel:
      "awsModelWcu: every item a write touches is read (consistently, on a second client, uncounted) before and after it, and billed by bench/dynamodb-billing.ts: AWS's item-size formula, 1 KiB units of the larger image, x2 inside TransactWriteItems, one charge per index entry put, deleted, moved (2) or changed, refused conditional writes charged the existing item's size; wcuPerConfirm is what DynamoDB Local reports",
    byOrderSize,
  };
}

function commandOf(order: AuthorizedOrder) {
  const owner = localPrincipals(process.env).shop.userArn;
  return { orderId: order.orderId, amount: order.amount, paymentKey: order.paymentKey, owner };
}
