import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent } from '../../lambdas/domain/events';
import type { JournalTransaction } from '../../lambdas/domain/ledger';
import {
  approve,
  type Checkout,
  type CheckoutItem,
  cancel,
  createPayment,
  decline,
  type Payment,
  startExecution,
  type Transition,
} from '../../lambdas/domain/payment';
import type { EventConsumerDeps } from '../../lambdas/shared/event-consumer';
import { type TableName, topology } from '../../lib/topology';
import { ensureQueue, ensureTable, type ProvisionedQueue } from '../../local/runtime/provision';

/**
 * Helpers for the event-delivery tests (DESIGN §6, §7) that compose the publisher and the
 * consumers in-process against their own tables and queues, created in the emulators the
 * jest global setup started (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS).
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function endpoint(name: 'AWS_ENDPOINT_URL_DYNAMODB' | 'AWS_ENDPOINT_URL_SQS'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the jest integration project`);
  return value;
}

export function localDynamo(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: endpoint('AWS_ENDPOINT_URL_DYNAMODB'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials,
  });
}

export function localSqs(): SQSClient {
  return new SQSClient({
    endpoint: endpoint('AWS_ENDPOINT_URL_SQS'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials,
  });
}

/** A name no other test run uses: `<prefix>-<8 hex>`. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A table with the topology's key schema, indexes and stream for `kind`, under a fresh name. */
export async function createTableLike(dynamo: DynamoDBClient, kind: TableName, prefix: string) {
  const name = unique(`${prefix}-${kind}`);
  const streamArn = await ensureTable(dynamo, name, topology.tables[kind]);
  return { name, streamArn };
}

export async function dropTables(dynamo: DynamoDBClient, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map((TableName) => dynamo.send(new DeleteTableCommand({ TableName })).catch(() => undefined)),
  );
}

export interface TestQueue extends ProvisionedQueue {
  readonly name: string;
  /** Present when created with a dead-letter queue. */
  readonly dlq?: ProvisionedQueue & { readonly name: string };
}

/** A FIFO queue (optionally with a FIFO DLQ after `maxReceiveCount` receives), as provision.ts makes them. */
export async function createFifoQueue(
  sqs: SQSClient,
  prefix: string,
  options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number; fifo?: boolean } = {},
): Promise<TestQueue> {
  const fifo = options.fifo ?? true;
  const physical = (name: string) => (fifo ? `${name}.fifo` : name);
  const base = unique(prefix);
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const provisioned = new Map<string, ProvisionedQueue>();
  const arnOf = (name: string) => provisioned.get(name)?.arn ?? '';
  let dlq: TestQueue['dlq'];
  if (options.maxReceiveCount !== undefined) {
    const name = `${base}-dlq`;
    const queue = await ensureQueue(
      sqs,
      { name, physicalName: physical(name), fifo, visibilityTimeoutSeconds, retentionDays: 1 },
      arnOf,
    );
    provisioned.set(name, queue);
    dlq = { ...queue, name };
  }
  const main = await ensureQueue(
    sqs,
    {
      name: base,
      physicalName: physical(base),
      fifo,
      visibilityTimeoutSeconds,
      retentionDays: 1,
      ...(dlq ? { deadLetter: { queue: dlq.name, maxReceiveCount: options.maxReceiveCount ?? 5 } } : {}),
    },
    arnOf,
  );
  return { ...main, name: base, dlq };
}

export async function dropQueues(sqs: SQSClient, queues: readonly TestQueue[]): Promise<void> {
  const urls = queues.flatMap((q) => [q.url, ...(q.dlq ? [q.dlq.url] : [])]);
  await Promise.all(
    urls.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined)),
  );
}

/** Visible plus in-flight messages. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Receives (and deletes) everything currently on a queue, in receive order. */
export async function drainQueue(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) return all;
    all.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
}

/**
 * What `npm run ops -- redrive <queue>` does (bin/ops.ts): StartMessageMoveTask from the DLQ to
 * its source, then wait until the task is no longer RUNNING. Returns the number moved.
 */
export async function redrive(sqs: SQSClient, dlqArn: string, sourceArn: string): Promise<number> {
  await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: sourceArn }));
  for (;;) {
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
    const task = Results?.[0];
    if (task?.Status !== 'RUNNING') {
      if (task?.Status !== 'COMPLETED') throw new Error(`message move task ended ${task?.Status}`);
      return task.ApproximateNumberOfMessagesMoved ?? 0;
    }
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every `intervalMs` until `accept` holds, and returns that value; after
 * `timeoutMs` returns the last value seen, so the caller's assertion shows what was there.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 5_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

/** A Lambda context with `timeoutMs` to go. */
export function lambdaContext(functionName: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** An SQS record as Lambda's FIFO event source delivers it. */
export function sqsRecord(body: string, options: { groupId: string; receiveCount?: number }): SQSRecord {
  const messageId = randomUUID();
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: messageId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:test.fifo',
    awsRegion: 'local',
  };
}

export function sqsEventOf(events: readonly DomainEvent[]): SQSEvent {
  return { Records: events.map((e) => sqsRecord(JSON.stringify(e), { groupId: e.orderId })) };
}

export interface LogLine {
  readonly level: 'warn' | 'error';
  readonly message: string;
  readonly extra: unknown;
}

/** A logger for `eventConsumer` that keeps what it was told instead of printing it. */
export function recordingLogger(): { logger: EventConsumerDeps['logger']; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = {
    warn: (message: string, extra: unknown) => lines.push({ level: 'warn', message, extra }),
    error: (message: string, extra: unknown) => lines.push({ level: 'error', message, extra }),
  } as unknown as EventConsumerDeps['logger'];
  return { logger, lines };
}

// ---- payments built with the real domain transitions ----

export type Step =
  | { readonly kind: 'confirm' }
  | { readonly kind: 'decline' }
  /** `amount` absent: cancel the whole remaining balance. */
  | { readonly kind: 'cancel'; readonly amount?: number };

export interface ScriptedTransition {
  readonly previous: Payment;
  readonly next: Payment;
  readonly event?: DomainEvent;
}

export interface ScriptedPayment {
  readonly initial: Payment;
  readonly final: Payment;
  readonly transitions: readonly ScriptedTransition[];
  /** The events the transitions emitted, in seq order. */
  readonly events: readonly DomainEvent[];
}

/**
 * Runs a checkout through execution and `steps` with the domain's own transitions, so events
 * carry exactly what the product would emit (seq, eventId, per-seller cancel allocation).
 * A cancel the domain refuses (e.g. nothing left to cancel) is skipped.
 */
export function scriptPayment(
  checkout: Omit<Checkout, 'createdAt'> & { createdAt?: string },
  steps: readonly Step[],
  startAt = Date.now() - 60_000,
): ScriptedPayment {
  let clock = startAt;
  const at = () => {
    clock += 1_000;
    return new Date(clock).toISOString();
  };
  const created = createPayment({ ...checkout, createdAt: checkout.createdAt ?? at() });
  if (!created.ok) throw new Error(`checkout refused: ${created.reason}`);
  const initial = created.payment;
  const transitions: ScriptedTransition[] = [];
  const paymentKey = `pk-${checkout.orderId}`;
  const step = (previous: Payment, result: Transition, what: string): Payment => {
    if (!result.ok) throw new Error(`${what} refused: ${result.reason}`);
    transitions.push({ previous, next: result.payment, event: result.event });
    return result.payment;
  };
  let payment = step(
    initial,
    startExecution(initial, { paymentKey, amount: initial.amount, at: at() }),
    'startExecution',
  );
  for (const s of steps) {
    if (s.kind === 'confirm') {
      const when = at();
      payment = step(payment, approve(payment, { paymentKey, approvedAt: when, at: when }), 'approve');
    } else if (s.kind === 'decline') {
      payment = step(
        payment,
        decline(payment, { code: 'REJECT_CARD_PAYMENT', message: 'declined', at: at() }),
        'decline',
      );
    } else {
      const result = cancel(payment, { cancelAmount: s.amount, cancelReason: 'test cancel', at: at() });
      if (result.ok) payment = step(payment, result, 'cancel');
    }
  }
  const events = transitions.flatMap((t) => (t.event ? [t.event] : []));
  return { initial, final: payment, transitions, events };
}

export function items(...lines: readonly [sellerId: string, amount: number][]): CheckoutItem[] {
  return lines.map(([sellerId, amount], index) => ({ sellerId, productId: `product-${index + 1}`, amount }));
}

/** What each seller's wallet must show: the not-canceled part of every approved payment's lines. */
export function expectedBalances(payments: readonly Payment[]): Map<string, number> {
  const balances = new Map<string, number>();
  for (const payment of payments) {
    if (payment.approvedAt === undefined) continue;
    for (const item of payment.items) {
      balances.set(item.sellerId, (balances.get(item.sellerId) ?? 0) + item.balanceAmount);
    }
  }
  return balances;
}

/** Every journal transaction of a ledger table (a scan: test tables only). */
export async function journal(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<JournalTransaction[]> {
  const transactions: JournalTransaction[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': '#TXN' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    transactions.push(...((page.Items ?? []) as JournalTransaction[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return transactions;
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
