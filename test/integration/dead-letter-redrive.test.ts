/**
 * Poison messages and DLQ redrive (DESIGN §7). The wallet consumer's real handler plumbing
 * (`eventConsumer` + the wallet use case and store) is driven by the local runtime's own
 * QueuePoller (receive → invoke → delete / return to visibility) against a FIFO queue of this
 * test's own, with a FIFO DLQ after 3 receives. A message that keeps failing ends in the DLQ;
 * after the cause is fixed, a redrive (StartMessageMoveTask DLQ → source, what
 * `npm run ops -- redrive` does) brings it back and it is applied exactly once. A last test runs
 * the operator command itself (bin/ops.ts) against the local stack's own wallet queue.
 *
 * local-aws-sqs dead-letters one receive earlier than AWS and does not lock message groups:
 * nothing here depends on either.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { DynamoDbWalletStore } from '../../lambdas/adapters/dynamodb/wallet-store';
import { settleWalletUseCase } from '../../lambdas/application/settle-wallet';
import type { DomainEvent } from '../../lambdas/domain/events';
import type { SettlementReport } from '../../lambdas/ports/completion';
import { documentClient } from '../../lambdas/shared/composition';
import { eventConsumer } from '../../lambdas/shared/event-consumer';
import { QueuePoller } from '../../local/runtime/queue-poller';
import {
  createFifoQueue,
  createTableLike,
  dropQueues,
  dropTables,
  eventually,
  items,
  lambdaContext,
  localDynamo,
  localSqs,
  queueDepth,
  recordingLogger,
  redrive,
  scriptPayment,
  type TestQueue,
  unique,
} from '../support/events';
import { api } from '../support/http-client';
import { ops } from '../support/ops-cli';

type ApplyResult = 'applied' | 'duplicate' | 'gap';

let dynamo: DynamoDBClient;
let sqs: SQSClient;
let walletsTable: string;
let store: DynamoDbWalletStore;
const queues: TestQueue[] = [];

beforeAll(async () => {
  dynamo = localDynamo();
  sqs = localSqs();
  walletsTable = (await createTableLike(dynamo, 'wallets', 'dlq')).name;
  store = new DynamoDbWalletStore(documentClient(dynamo), walletsTable);
});

afterAll(async () => {
  await dropQueues(sqs, queues);
  await dropTables(dynamo, [walletsTable]);
  sqs.destroy();
  dynamo.destroy();
});

/** The wallet consumer on a fresh queue with a DLQ after 3 receives, polled like Lambda's event source. */
async function walletConsumerOnOwnQueue() {
  const queue = await createFifoQueue(sqs, 'wallet-test', {
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 30,
  });
  queues.push(queue);
  const dlq = queue.dlq as NonNullable<TestQueue['dlq']>;
  const results: { eventId: string; result: ApplyResult }[] = [];
  const reports: SettlementReport[] = [];
  const { logger, lines } = recordingLogger();
  const settle = settleWalletUseCase({ store, clock: () => new Date() });
  const handler = eventConsumer({
    consumer: 'wallet',
    apply: async (event) => {
      const result = await settle(event);
      results.push({ eventId: event.eventId, result });
      return result;
    },
    reporter: { report: async (r) => void reports.push(r) },
    logger,
  });
  const poller = new QueuePoller({
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    trigger: { kind: 'queue', queue: 'wallet', batchSize: 10 },
    fn: { name: 'wallet', invoke: (event) => handler(event as SQSEvent, lambdaContext('wallet')) },
    // A failed message is visible again at once: receive counts (and so the DLQ) advance quickly.
    retryVisibilitySeconds: 0,
    idleMs: 50,
  });
  poller.start();
  const send = (body: string, groupId: string, dedupId: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: dedupId,
      }),
    );
  const publish = (event: DomainEvent) => send(JSON.stringify(event), event.orderId, event.eventId);
  /** Waits until the source queue is empty and the DLQ holds `dlqDepth` messages. */
  const settled = (dlqDepth: number) =>
    eventually(
      async () => ({ source: await queueDepth(sqs, queue.url), dlq: await queueDepth(sqs, dlq.url) }),
      (d) => d.source === 0 && d.dlq === dlqDepth,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
  return { queue, dlq, poller, results, reports, lines, send, publish, settled };
}

describe('a poison message on a consumer queue', () => {
  it('ends in the DLQ, and its body never reaches the logs', async () => {
    const c = await walletConsumerOnOwnQueue();
    try {
      const secret = `card-4111-${unique('x')}`;
      await c.send(`{"type":"PaymentConfirmed","note":"${secret}"`, unique('poison'), unique('d'));
      await c.send(
        JSON.stringify({ type: 'PaymentConfirmed', orderId: 'o', note: secret }),
        unique('poison'),
        'd2',
      );

      expect(await c.settled(2)).toEqual({ source: 0, dlq: 2 });
      expect(c.results).toEqual([]);
      expect(c.reports).toEqual([]);
      const poisonLogs = c.lines.filter((l) => /Poison message/.test(l.message));
      expect(poisonLogs.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(c.lines)).not.toContain(secret);
    } finally {
      await c.poller.stop();
    }
  }, 30_000);

  // A poison (or a gap) must cost only its own message group: a healthy event of another payment
  // received in the same batch is applied, not retried with it until it is dead-lettered too.
  it('does not drag a healthy event of another payment into the DLQ', async () => {
    const c = await walletConsumerOnOwnQueue();
    try {
      await c.send('{"not":"an event"}', unique('poison'), unique('d'));
      const seller = unique('seller');
      const healthy = scriptPayment(
        {
          orderId: unique('healthy'),
          buyerId: 'b',
          orderName: 'n',
          currency: 'KRW',
          items: items([seller, 4_200]),
        },
        [{ kind: 'confirm' }],
      );
      await c.publish(healthy.events[0] as DomainEvent);

      const drained = await eventually(
        async () => ({ source: await queueDepth(sqs, c.queue.url), dlq: await queueDepth(sqs, c.dlq.url) }),
        (d) => d.source === 0,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect({ drained, balance: (await store.get(seller))?.balance }).toEqual({
        drained: { source: 0, dlq: 1 },
        balance: 4_200,
      });
      expect(c.results).toEqual([{ eventId: healthy.events[0]?.eventId, result: 'applied' }]);
    } finally {
      await c.poller.stop();
    }
  }, 30_000);
});

describe('an event dead-lettered for a missing predecessor, redriven after the predecessor arrives', () => {
  it('is applied exactly once after the redrive', async () => {
    const c = await walletConsumerOnOwnQueue();
    try {
      const [a, b] = [unique('seller-a'), unique('seller-b')];
      const payment = scriptPayment(
        {
          orderId: unique('redrive'),
          buyerId: 'b',
          orderName: 'n',
          currency: 'KRW',
          items: items([a, 6_000], [b, 4_000]),
        },
        [{ kind: 'confirm' }, { kind: 'cancel', amount: 2_500 }],
      );
      const [confirmed, canceled] = payment.events as [DomainEvent, DomainEvent];

      // The cancel arrives alone (its confirm was lost upstream): refused as a gap on every
      // receive until the queue dead-letters it.
      await c.publish(canceled);
      expect(await c.settled(1)).toEqual({ source: 0, dlq: 1 });
      expect(c.results.length).toBeGreaterThanOrEqual(2);
      expect(c.results.every((r) => r.eventId === canceled.eventId && r.result === 'gap')).toBe(true);
      expect(await store.get(a)).toBeUndefined();

      // Fix the cause: the predecessor is delivered (e.g. by the outbox sweeper).
      await c.publish(confirmed);
      const credited = await eventually(
        async () => (await store.get(a))?.balance,
        (balance) => balance === 6_000,
      );
      expect(credited).toBe(6_000);

      // Redrive: the DLQ's message goes back to its source queue and is applied.
      expect(await redrive(sqs, c.dlq.arn, c.queue.arn)).toBe(1);
      expect(await c.settled(0)).toEqual({ source: 0, dlq: 0 });
      // 2,500 split 6:4 over what each line holds: 1,500 and 1,000.
      expect((await store.get(a))?.balance).toBe(4_500);
      expect((await store.get(b))?.balance).toBe(3_000);
      const applied = c.results.filter((r) => r.result === 'applied').map((r) => r.eventId);
      expect(applied).toEqual([confirmed.eventId, canceled.eventId]);
      expect(c.reports.map((r) => r.seq)).toEqual([1, 2]);

      // A second copy (a repeated redrive, or a late republish) is a duplicate: nothing moves.
      await c.send(JSON.stringify(canceled), canceled.orderId, `${canceled.eventId}:again`);
      expect(await c.settled(0)).toEqual({ source: 0, dlq: 0 });
      await eventually(
        async () => c.results.length,
        () => c.results.at(-1)?.result === 'duplicate',
      );
      expect(c.results.at(-1)).toEqual({ eventId: canceled.eventId, result: 'duplicate' });
      expect((await store.get(a))?.balance).toBe(4_500);
      expect((await store.get(b))?.balance).toBe(3_000);
    } finally {
      await c.poller.stop();
    }
  }, 60_000);
});

async function walletBalance(sellerId: string): Promise<number | undefined> {
  const answer = await api('GET', `/sellers/${encodeURIComponent(sellerId)}/wallet`, { as: 'operator' });
  return answer.status === 200 ? (answer.json.balance as number) : undefined;
}

describe('npm run ops -- redrive wallet (bin/ops.ts) on the local stack', () => {
  it('moves the dead-lettered cancel back once its confirm is in, and the stack applies it once', async () => {
    const queueUrl = async (name: string) =>
      (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
    const [walletQueue, walletDlq] = [await queueUrl('wallet.fifo'), await queueUrl('wallet-dlq.fifo')];
    const seller = unique('seller-ops');
    const payment = scriptPayment(
      {
        orderId: unique('ops'),
        buyerId: 'b',
        orderName: 'n',
        currency: 'KRW',
        items: items([seller, 8_000]),
      },
      [{ kind: 'confirm' }, { kind: 'cancel', amount: 3_000 }],
    );
    const [confirmed, canceled] = payment.events as [DomainEvent, DomainEvent];
    const send = (event: DomainEvent) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: walletQueue,
          MessageBody: JSON.stringify(event),
          MessageGroupId: event.orderId,
          MessageDeduplicationId: event.eventId,
        }),
      );

    const before = await queueDepth(sqs, walletDlq);
    await send(canceled);
    // The stack's wallet consumer refuses it on every receive (1 s apart) until it is dead-lettered.
    const dead = await eventually(
      () => queueDepth(sqs, walletDlq),
      (depth) => depth === before + 1,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(dead).toBe(before + 1);
    expect(await walletBalance(seller)).toBeUndefined();

    const listed = await ops('dlq', 'list');
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout).toMatch(new RegExp(`^wallet-dlq\\s+${before + 1}$`, 'm'));

    await send(confirmed);
    expect(
      await eventually(
        () => walletBalance(seller),
        (b) => b === 8_000,
      ),
    ).toBe(8_000);

    const redriven = await ops('redrive', 'wallet', '--json');
    expect(redriven).toMatchObject({ code: 0 });
    expect(JSON.parse(redriven.stdout)).toEqual({
      from: 'wallet-dlq',
      to: 'wallet',
      moved: before + 1,
      waiting: before + 1,
      status: 'COMPLETED',
    });
    expect(
      await eventually(
        () => walletBalance(seller),
        (b) => b === 5_000,
        { timeoutMs: 10_000 },
      ),
    ).toBe(5_000);
    // Applied once: a repeat of the cancel changes nothing.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: walletQueue,
        MessageBody: JSON.stringify(canceled),
        MessageGroupId: canceled.orderId,
        MessageDeduplicationId: `${canceled.eventId}:again`,
      }),
    );
    await eventually(
      () => queueDepth(sqs, walletQueue),
      (depth) => depth === 0,
    );
    expect(await walletBalance(seller)).toBe(5_000);
  }, 60_000);
});
