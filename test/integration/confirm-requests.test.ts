/**
 * DynamoDB cost of a confirm (DESIGN §4): the handler logic composed as in
 * lambdas/handlers/confirm-payment.ts, on a DynamoDBClient pointed at DynamoDB Local with a
 * middleware that counts every request by command. A first-time successful confirm must
 * take at most 4 requests and no read when nothing races it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { confirmUseCase } from '../../lambdas/application/confirm';
import { paymentStore, settings, systemClock } from '../../lambdas/shared/composition';
import { idempotencyStore, idempotent } from '../../lambdas/shared/idempotent';
import { paymentGateway } from '../../lambdas/shared/psp';
import { telemetry } from '../../lambdas/shared/telemetry';
import { createOrder, getPayment, localPrincipalArn, sim } from '../support/http-client';

const READ_COMMANDS = [
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
];

interface Recorded {
  /** Commands sent, by name (one per `client.send`). */
  readonly commands: Map<string, number>;
  /** HTTP attempts on the wire, retries included. */
  attempts: number;
  /** Only present when a request asked for ReturnConsumedCapacity (the product does not). */
  readonly consumedCapacity: unknown[];
}

function newRecord(): Recorded {
  return { commands: new Map(), attempts: 0, consumedCapacity: [] };
}

let recorded = newRecord();

function countingClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      recorded.commands.set(name, (recorded.commands.get(name) ?? 0) + 1);
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      if (consumed !== undefined) recorded.consumedCapacity.push(consumed);
      return result;
    },
    { step: 'initialize', name: 'countDynamoDbCommands' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      recorded.attempts += 1;
      return next(args);
    },
    { step: 'deserialize', name: 'countDynamoDbAttempts' },
  );
  return client;
}

/** A Lambda context with the confirm function's 28 s budget. */
function lambdaContext(): Context {
  const deadline = Date.now() + 28_000;
  const unsupported = () => {
    throw new Error('not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'confirmPayment',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:confirmPayment',
    memoryLimitInMB: '512',
    awsRequestId: `req-${Date.now()}`,
    logGroupName: '/aws/lambda/confirmPayment',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function summary(record: Recorded): Record<string, number> {
  return Object.fromEntries([...record.commands.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function total(record: Recorded): number {
  return [...record.commands.values()].reduce((sum, n) => sum + n, 0);
}

let client: DynamoDBClient;
let confirm: ReturnType<typeof composeConfirm>;

function composeConfirm(dynamo: DynamoDBClient) {
  // As lambdas/handlers/confirm-payment.ts does, with the counting client injected.
  return idempotent(
    confirmUseCase({
      store: paymentStore(dynamo),
      psp: paymentGateway(telemetry()),
      clock: systemClock,
      settings,
    }),
    {
      persistenceStore: idempotencyStore(dynamo),
      keyPath: 'orderId',
      validationPath: '[paymentKey, amount]',
      keyPrefix: 'confirm',
      expiresAfterSeconds: 24 * 3600,
    },
  );
}

beforeAll(() => {
  const pspUrl = process.env.PSP_URL;
  if (!pspUrl || !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error('the integration tier needs the local stack (PSP_URL, AWS_ENDPOINT_URL_DYNAMODB)');
  }
  process.env.PSP_BASE_URL = pspUrl;
  process.env.PSP_SECRET_KEY = 'test_sk_local_simulator';
  process.env.PAYMENTS_TABLE = 'payments';
  process.env.IDEMPOTENCY_TABLE = 'idempotency';
  client = countingClient();
  confirm = composeConfirm(client);
});

afterAll(() => client?.destroy());

// The uncontended path is what is budgeted. Locally the simulator's webhook reaches the runtime within
// milliseconds and can settle the payment before the confirm's own write; the confirm then answers with
// one read more (covered by the webhook tests in money-safety-http.test.ts), so webhooks pause here.
beforeAll(() => sim.webhooksOff());
afterAll(() => sim.webhooksOn());

describe('DynamoDB requests of a confirm', () => {
  it('a first-time successful confirm makes at most 4 DynamoDB requests and no read', async () => {
    const order = await createOrder();
    const paymentKey = await sim.session(order.orderId, order.amount);
    const command = { orderId: order.orderId, paymentKey, amount: order.amount, owner: localPrincipalArn() };

    recorded = newRecord();
    const result = await confirm(command, lambdaContext());
    const first = recorded;

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ orderId: order.orderId, status: 'SUCCESS', paymentKey });
    console.log(
      [
        'first-time successful confirm:',
        `  DynamoDB commands ${total(first)} ${JSON.stringify(summary(first))}`,
        `  HTTP attempts ${first.attempts}`,
        `  consumed capacity: ${first.consumedCapacity.length ? JSON.stringify(first.consumedCapacity) : 'not reported (ReturnConsumedCapacity is not set)'}`,
      ].join('\n'),
    );
    expect(total(first)).toBeLessThanOrEqual(4);
    expect(first.attempts).toBeLessThanOrEqual(4);
    expect(READ_COMMANDS.filter((name) => first.commands.has(name))).toEqual([]);
    // The work itself was done: the PSP approved once and the payment is stored as SUCCESS.
    expect(await sim.truth(order.orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
    expect((await getPayment(order.orderId)).json.status).toBe('SUCCESS');
  });

  it('a replay of that confirm answers from the idempotency record: one write attempt, no read', async () => {
    const order = await createOrder();
    const paymentKey = await sim.session(order.orderId, order.amount);
    const command = { orderId: order.orderId, paymentKey, amount: order.amount, owner: localPrincipalArn() };
    const first = await confirm(command, lambdaContext());
    expect(first.statusCode).toBe(200);

    recorded = newRecord();
    const replay = await confirm(command, lambdaContext());
    const measured = recorded;

    console.log(
      `replayed confirm: DynamoDB commands ${total(measured)} ${JSON.stringify(summary(measured))}, HTTP attempts ${measured.attempts}`,
    );
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toBe(first.body);
    expect(replay.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(READ_COMMANDS.filter((name) => measured.commands.has(name))).toEqual([]);
    expect(total(measured)).toBeLessThanOrEqual(1);
    expect((await sim.truth(order.orderId)).confirmCalls).toBe(1);
  });
});
