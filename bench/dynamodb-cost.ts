import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import { type AuthorizedOrder, authorizedOrder } from './http';
import { mapConcurrently } from './pool';
import { round } from './stats';

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
}

/** DynamoDB requests by command, and the capacity DynamoDB reports for them. */
class RequestMeter {
  counting = false;
  readonly requests = new Map<string, number>();
  readonly failures = new Map<string, number>();
  /** Capacity units DynamoDB reported, by command. */
  readonly capacity = new Map<string, number>();
  /** Successful requests whose answer carried no ConsumedCapacity. */
  withoutCapacity = 0;

  reset(): void {
    this.requests.clear();
    this.failures.clear();
    this.capacity.clear();
    this.withoutCapacity = 0;
  }

  /**
   * An `initialize` middleware: runs once per `send` (retries happen further down the stack),
   * sees the command name, and asks for ConsumedCapacity on a copy of the input, so the
   * product's command objects stay untouched.
   */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.counting) return next(args);
        const command = context.commandName ?? 'unknown';
        this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
        try {
          const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
          this.addCapacity(command, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (error) {
          this.failures.set(command, (this.failures.get(command) ?? 0) + 1);
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestMeter' },
    );
  }

  private addCapacity(command: string, consumed: unknown): void {
    const items = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as ConsumedCapacity[];
    const units = items.reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
    if (items.length === 0 || items.every((item) => item.CapacityUnits === undefined)) {
      this.withoutCapacity++;
      return;
    }
    this.capacity.set(command, (this.capacity.get(command) ?? 0) + units);
  }

  perConfirm(confirms: number): PerConfirmCost {
    const perConfirm = (counts: Map<string, number>) =>
      Object.fromEntries([...counts].sort().map(([command, n]) => [command, round(n / confirms)]));
    const sum = (counts: Iterable<[string, number]>) => [...counts].reduce((total, [, n]) => total + n, 0);
    const total = sum(this.requests);
    const failed = sum(this.failures);
    const capacityReported = this.withoutCapacity === 0 && total > failed;
    const units = (writes: boolean) =>
      capacityReported
        ? round(
            sum([...this.capacity].filter(([command]) => WRITE_COMMANDS.has(command) === writes)) / confirms,
          )
        : null;
    const notes: string[] = [];
    if (this.withoutCapacity > 0) {
      notes.push(
        `${this.withoutCapacity} of ${total - failed} successful requests came back without ConsumedCapacity from DynamoDB Local`,
      );
    }
    if (failed > 0) {
      notes.push(
        `${round(failed / confirms)} failed request(s) per confirm (conditional check) report no capacity here; DynamoDB bills a failed conditional write at least 1 WCU`,
      );
    }
    return {
      requestsPerConfirm: { total: round(total / confirms), byCommand: perConfirm(this.requests) },
      failedRequestsPerConfirm: perConfirm(this.failures),
      wcuPerConfirm: units(true),
      rcuPerConfirm: units(false),
      capacityUnitsByCommand: capacityReported ? perConfirm(this.capacity) : null,
      ...(notes.length > 0 ? { capacityNote: notes.join('; ') } : {}),
    };
  }
}

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
  // The handler modules read their configuration at load, as in Lambda: set it before importing them.
  Object.assign(process.env, {
    PAYMENTS_TABLE: 'payments',
    IDEMPOTENCY_TABLE: 'idempotency',
    PSP_BASE_URL: stack.pspUrl,
    PSP_SECRET_KEY: process.env.PSP_SECRET_KEY ?? 'test_sk_local_simulator',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'confirmPayment',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { idempotencyStore, paymentGateway, paymentStore, settings, systemClock } = await import(
    '../lambdas/shared/composition.js'
  );
  const { confirmUseCase } = await import('../lambdas/application/confirm.js');
  const { idempotent } = await import('../lambdas/shared/idempotent.js');

  const meter = new RequestMeter();
  const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1' });
  meter.attach(client);
  // The options of lambdas/handlers/confirm-payment.ts.
  const confirm = idempotent(
    confirmUseCase({ store: paymentStore(client), psp: paymentGateway(), clock: systemClock, settings }),
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
  const runAll = async (): Promise<Record<string, number>> => {
    const statuses: Record<string, number> = {};
    meter.reset();
    meter.counting = true;
    for (const order of orders) {
      const { statusCode } = await confirm(commandOf(order), benchContext(28_000));
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    }
    meter.counting = false;
    return statuses;
  };

  const first = await runAll();
  const firstConfirm = meter.perConfirm(confirms);
  const again = await runAll();
  const replay = meter.perConfirm(confirms);
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
