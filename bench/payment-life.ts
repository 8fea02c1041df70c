/**
 * One payment's whole life, handler by handler, billed: `tsx bench/payment-life.ts <dynamoEndpoint> <pspUrl>`
 * prints a JSON `PaymentLife`. `npm run bench` runs it as a child process (its handler modules keep
 * their own module-scope clients and configuration, apart from the bench's other measurements).
 *
 * The very handler modules Lambda runs are invoked in this process with Lambda-shaped events, on
 * tables of their own in the stack's DynamoDB Local (nothing else polls their streams) and queues of
 * their own in an in-process local SQS: checkout, confirm, the publisher on the payment item's
 * stream image, every consumer on what the publisher sent, the completion consumer on every report,
 * one status read; then a cancel of the same payments through the same path. Every DynamoDB request
 * goes through the handlers' one shared client, metered and billed by AWS's model
 * (bench/dynamodb-billing.ts); SQS sends are counted; each handler call is timed.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createSqsServer } from 'local-aws-sqs';
import { type FunctionName, topology } from '../lib/topology';
import { freePort } from '../local/runtime/ports';
import { ensureQueue, ensureTable, type ProvisionedQueue } from '../local/runtime/provision';
import { localTopology, planLocalWiring } from '../local/runtime/wiring';
import { type BilledTable, billedTableOf } from './dynamodb-billing';
import { localDynamoClient, RequestMeter, WriteBiller } from './dynamodb-meter';
import { pspSession } from './http';
import { round } from './stats';

/** What one handler step cost, summed over the payments measured, then divided by them. */
export interface LifeStep {
  readonly fn: FunctionName;
  readonly invocations: number;
  readonly requests: number;
  readonly wcu: number;
  readonly rcu: number;
  readonly sqsSends: number;
  /** Wall time of the handler calls in this process (DynamoDB Local and the PSP simulator on the same 2 cores). */
  readonly ms: number;
}

export interface LifeCost {
  readonly steps: Readonly<Record<string, LifeStep>>;
  readonly wcu: number;
  readonly rcu: number;
  readonly requests: number;
  readonly sqsSends: number;
  readonly invocations: number;
  readonly apiCalls: number;
}

export interface PaymentLife {
  readonly payments: number;
  readonly lines: number;
  readonly method: string;
  /** checkout, confirm, publish, wallet, ledger, completion, one status read. */
  readonly payment: LifeCost;
  /** A full cancel of a settled payment, through publish, consumers and completion. */
  readonly cancel: LifeCost;
}

const PAYMENTS = 10;
const LINES = 2;
const ITEMS = [
  { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 },
  { sellerId: 'seller-b', productId: 'book-2', amount: 3_000 },
];
const SHOP_ARN = 'arn:aws:iam::000000000000:user/life-bench-shop';

function context(fn: FunctionName): Context {
  const spec = topology.functions[fn];
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('callback-style context methods are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: 'life',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function httpEvent(
  method: 'GET' | 'POST',
  resource: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  pathParameters: Record<string, string> | null = null,
) {
  return {
    resource,
    path,
    httpMethod: method,
    headers: { 'content-type': 'application/json', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'life',
      httpMethod: method,
      identity: { sourceIp: '127.0.0.1', userArn: SHOP_ARN },
      path,
      stage: 'life',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'life',
      resourcePath: resource,
    },
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

async function main(): Promise<void> {
  const [dynamoEndpoint, pspUrl] = process.argv.slice(2);
  if (!dynamoEndpoint || !pspUrl) throw new Error('usage: payment-life.ts <dynamoEndpoint> <pspUrl>');
  const root = resolve(__dirname, '..');
  const run = randomUUID().slice(0, 8);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  const sqsPort = await freePort();
  const sqsServer = await createSqsServer({
    port: sqsPort,
    hostname: '127.0.0.1',
    region: 'us-east-1',
    accountId: '000000000000',
    emulateQueueCreationLifecycle: false,
  });
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials });
  const admin = localDynamoClient(dynamoEndpoint);

  const laptop = localTopology();
  const wiring = planLocalWiring(laptop);
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    PSP_BASE_URL: pspUrl,
    PSP_SECRET_KEY: process.env.PSP_SECRET_KEY ?? 'test_sk_local_simulator',
    ORDER_ID_SECRET: `life-${run}`,
    POWERTOOLS_SERVICE_NAME: 'life',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const billed: Record<string, BilledTable> = {};
  for (const { name, spec } of wiring.tables) {
    const tableName = `life-${run}-${name}`;
    await ensureTable(admin, tableName, spec);
    env[spec.envVar] = tableName;
    billed[tableName] = billedTableOf(spec);
  }
  const queues = new Map<string, ProvisionedQueue>();
  for (const queue of wiring.queues) {
    const provisioned = await ensureQueue(sqs, queue, (name) => queues.get(name)?.arn ?? '');
    queues.set(queue.name, provisioned);
    if (queue.envVar) env[queue.envVar] = provisioned.url;
  }
  Object.assign(process.env, env);

  // The handlers' one DynamoDB client, metered before any handler module builds on it.
  const { dynamoDbClient } = await import('../lambdas/shared/composition.js');
  const meter = new RequestMeter(new WriteBiller(localDynamoClient(dynamoEndpoint), billed));
  meter.attach(dynamoDbClient());
  // Every SQS client the handlers build sends through this prototype: count the sends.
  let sqsSends = 0;
  const send = SQSClient.prototype.send;
  SQSClient.prototype.send = function counted(this: SQSClient, ...args: Parameters<SQSClient['send']>) {
    const name = (args[0] as { constructor: { name: string } }).constructor.name;
    if (name.startsWith('SendMessage')) sqsSends++;
    return send.apply(this, args) as ReturnType<SQSClient['send']>;
  } as SQSClient['send'];

  const handlers = new Map<FunctionName, Handler>();
  const handlerOf = async (fn: FunctionName): Promise<Handler> => {
    const known = handlers.get(fn);
    if (known) return known;
    const loaded = (await import(resolve(root, topology.functions[fn].entry))) as { handler: Handler };
    handlers.set(fn, loaded.handler);
    return loaded.handler;
  };

  type Tally = Record<string, { -readonly [K in keyof LifeStep]: LifeStep[K] }>;
  let tally: Tally = {};
  let apiCalls = 0;
  const invoke = async (step: string, fn: FunctionName, event: unknown): Promise<unknown> => {
    const handler = await handlerOf(fn);
    const sendsBefore = sqsSends;
    const started = process.hrtime.bigint();
    const result = await meter.count(() => handler(event, context(fn)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const cost = meter.per(1, step);
    tally[step] ??= { fn, invocations: 0, requests: 0, wcu: 0, rcu: 0, sqsSends: 0, ms: 0 };
    const entry = tally[step];
    entry.invocations++;
    entry.requests += cost.requests.total;
    entry.wcu += cost.awsModelWcu ?? 0;
    entry.rcu += cost.rcu ?? 0;
    entry.sqsSends += sqsSends - sendsBefore;
    entry.ms += ms;
    return result;
  };
  const api = async (step: string, fn: FunctionName, event: unknown, expected: number) => {
    apiCalls++;
    const answer = (await invoke(step, fn, event)) as { statusCode: number; body: string };
    if (answer.statusCode !== expected)
      throw new Error(`${step} answered ${answer.statusCode}: ${answer.body}`);
    return JSON.parse(answer.body) as Record<string, unknown>;
  };

  /** The payment item's stream record as the publisher's filter admits it. */
  const publish = async (orderId: string) => {
    const { Item } = await admin.send(
      new GetItemCommand({
        TableName: env.PAYMENTS_TABLE,
        Key: { pk: { S: `PAYMENT#${orderId}` }, sk: { S: '#PAYMENT' } },
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new Error(`payment ${orderId} not found`);
    const record = {
      eventID: randomUUID(),
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: { pk: Item.pk, sk: Item.sk } as Record<string, AttributeValue>,
        NewImage: Item,
        SequenceNumber: String(Date.now()),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const answer = (await invoke('publish', 'publisher', { Records: [record] })) as {
      batchItemFailures: unknown[];
    };
    if (answer.batchItemFailures.length > 0) throw new Error(`publishing ${orderId} failed`);
  };

  /** Every message waiting on the queues `fn` consumes, one invocation per message (Lambda batches more under load). */
  const drain = async (step: string, fn: FunctionName) => {
    const sources = laptop.functions[fn].triggers.flatMap((t) =>
      t.kind === 'queue' ? [queues.get(t.queue) as ProvisionedQueue] : [],
    );
    for (const { url, arn } of sources) {
      for (;;) {
        const answer: ReceiveMessageCommandOutput = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const [message] = answer.Messages ?? [];
        if (!message) break;
        const result = (await invoke(step, fn, {
          Records: [
            {
              messageId: message.MessageId,
              receiptHandle: message.ReceiptHandle,
              body: message.Body,
              attributes: { ApproximateReceiveCount: '1', ...message.Attributes },
              messageAttributes: {},
              md5OfBody: message.MD5OfBody,
              eventSource: 'aws:sqs',
              eventSourceARN: arn,
              awsRegion: 'us-east-1',
            },
          ],
        })) as { batchItemFailures: unknown[] };
        if (result.batchItemFailures.length > 0) throw new Error(`${step} failed a message`);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  };
  const deliver = async (orderId: string) => {
    await publish(orderId);
    await drain('wallet', 'wallet');
    await drain('ledger', 'ledger');
    await drain('completion', 'completion');
  };
  const summed = (): LifeCost => {
    const steps = Object.fromEntries(
      Object.entries(tally).map(([step, s]) => [
        step,
        {
          fn: s.fn,
          invocations: round(s.invocations / PAYMENTS),
          requests: round(s.requests / PAYMENTS),
          wcu: round(s.wcu / PAYMENTS),
          rcu: round(s.rcu / PAYMENTS),
          sqsSends: round(s.sqsSends / PAYMENTS),
          ms: round(s.ms / s.invocations),
        },
      ]),
    );
    const total = (key: 'wcu' | 'rcu' | 'requests' | 'sqsSends' | 'invocations') =>
      round(Object.values(steps).reduce((sum, s) => sum + s[key], 0));
    return {
      steps,
      wcu: total('wcu'),
      rcu: total('rcu'),
      requests: total('requests'),
      sqsSends: total('sqsSends'),
      invocations: total('invocations'),
      apiCalls: round(apiCalls / PAYMENTS),
    };
  };

  try {
    const orders: { orderId: string; amount: number }[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const created = await api(
        'checkout',
        'checkout',
        httpEvent(
          'POST',
          '/checkouts',
          '/checkouts',
          { buyerId: 'life-buyer', orderName: 'Life order', currency: 'KRW', items: ITEMS },
          { 'idempotency-key': `life-${randomUUID()}` },
        ),
        201,
      );
      const orderId = String(created.orderId);
      const amount = Number(created.amount);
      const paymentKey = await pspSession(pspUrl, orderId, amount);
      await api(
        'confirm',
        'confirmPayment',
        httpEvent('POST', '/payments/confirm', '/payments/confirm', { orderId, amount, paymentKey }),
        200,
      );
      await deliver(orderId);
      const path = `/payments/${encodeURIComponent(orderId)}`;
      const view = await api(
        'status',
        'getPayment',
        httpEvent('GET', '/payments/{orderId}', path, undefined, {}, { orderId }),
        200,
      );
      if (view.done !== true)
        throw new Error(`payment ${orderId} not done after its life: ${JSON.stringify(view)}`);
      orders.push({ orderId, amount });
    }
    const payment = summed();
    tally = {};
    apiCalls = 0;
    for (const { orderId } of orders) {
      const path = `/payments/${encodeURIComponent(orderId)}/cancel`;
      await api(
        'cancel',
        'cancelPayment',
        httpEvent(
          'POST',
          '/payments/{orderId}/cancel',
          path,
          { cancelReason: 'life bench' },
          { 'idempotency-key': `life-${randomUUID()}` },
          { orderId },
        ),
        200,
      );
      await deliver(orderId);
    }
    const cancel = summed();
    const life: PaymentLife = {
      payments: PAYMENTS,
      lines: LINES,
      method:
        'the handler modules invoked in one process with Lambda-shaped events, one payment at a time, on tables of their own in the stack DynamoDB Local and queues of their own in an in-process local SQS; the handlers share one DynamoDB client, metered (requests; WCU by AWS model; RCU as DynamoDB Local reports); SQS sends counted; one invocation per record or message',
      payment,
      cancel,
    };
    process.stdout.write(`${JSON.stringify(life)}\n`);
  } finally {
    SQSClient.prototype.send = send;
    meter.close();
    admin.destroy();
    sqs.destroy();
    await new Promise<void>((done) => {
      sqsServer.closeAllConnections();
      sqsServer.close(() => done());
    });
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
