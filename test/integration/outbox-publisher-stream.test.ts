/**
 * The stream-triggered publisher (DESIGN §6): "its own bookkeeping writes also appear in the
 * stream: they must not cause re-sends". A payments table of this test's own is read by the
 * local runtime's StreamPoller with the topology's publisher trigger (filter, batch size,
 * retries), invoking the publisher handler's logic (lambdas/handlers/publisher.ts: unmarshall the
 * slot image → publishOutboxUseCase) with the real SqsEventPublisher onto two FIFO queues of its
 * own. The test records which stream records the filter admits and what gets sent.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbOutboxStore, outboxEntryOf } from '../../lambdas/adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { SqsEventPublisher } from '../../lambdas/adapters/sqs/event-publisher';
import { publishOutboxUseCase } from '../../lambdas/application/publish-outbox';
import { documentClient } from '../../lambdas/shared/composition';
import { type StreamTrigger, topology } from '../../lib/topology';
import { CheckpointStore } from '../../local/runtime/checkpoints';
import { StreamPoller } from '../../local/runtime/stream-poller';
import {
  createFifoQueue,
  createTableLike,
  drainQueue,
  dropQueues,
  dropTables,
  eventually,
  items,
  localDynamo,
  localSqs,
  type ScriptedPayment,
  type Step,
  scriptPayment,
  sleep,
  type TestQueue,
  unique,
} from '../support/events';

const trigger = topology.functions.publisher.triggers.find((t): t is StreamTrigger => t.kind === 'stream');

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let streams: DynamoDBStreamsClient;
let queues: TestQueue[];
const tables: string[] = [];

beforeAll(async () => {
  dynamo = localDynamo();
  doc = documentClient(dynamo);
  sqs = localSqs();
  streams = new DynamoDBStreamsClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queues = [
    await createFifoQueue(sqs, 'pub-wallet'),
    await createFifoQueue(sqs, 'pub-ledger'),
    await createFifoQueue(sqs, 'pub-failures'),
  ];
});

afterAll(async () => {
  await dropQueues(sqs, queues);
  await dropTables(dynamo, tables);
  streams.destroy();
  sqs.destroy();
  dynamo.destroy();
});

interface Admitted {
  readonly eventName: string;
  readonly oldSeq: number | undefined;
  readonly newSeq: number;
  readonly publishedSeq: number | undefined;
}

/**
 * Writes `script` to a fresh payments table (as the product does), then lets the publisher
 * drain the stream until the payment item (its own outbox slot) shows `publishedSeq = last seq` and
 * the stream has gone quiet.
 */
async function publishThroughTheStream(script: ScriptedPayment) {
  const { name: table, streamArn } = await createTableLike(dynamo, 'payments', 'pubstream');
  tables.push(table);
  const payments = new DynamoDbPaymentStore(doc, table);
  const outbox = new DynamoDbOutboxStore(doc, table);
  const real = new SqsEventPublisher(sqs, [queues[0]?.url ?? '', queues[1]?.url ?? '']);
  const sends: string[] = [];
  const publish = publishOutboxUseCase({
    outbox,
    publisher: {
      publish: async (events) => {
        sends.push(...events.map((e) => e.eventId));
        await real.publish(events);
      },
    },
  });
  const admitted: Admitted[] = [];
  // lambdas/handlers/publisher.ts, with the counting publisher.
  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const image = (record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>;
      const slot = unmarshall(image);
      const old = record.dynamodb?.OldImage
        ? unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>)
        : undefined;
      admitted.push({
        eventName: record.eventName ?? '',
        oldSeq: old?.eventSeq as number | undefined,
        newSeq: slot.eventSeq as number,
        publishedSeq: slot.publishedSeq as number | undefined,
      });
      try {
        await publish(outboxEntryOf(slot));
      } catch {
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };

  // The business writes happen first: several events of one payment are already in the stream
  // when the publisher reads it (a backlog, a retry, or simply a quick cancel after a confirm).
  expect(await payments.create(script.initial, 'fingerprint')).toEqual({ created: true });
  for (const t of script.transitions) {
    const recovering = t.next.status === 'EXECUTING' || t.next.status === 'UNKNOWN';
    const saved = await payments.save(t.previous, t.next, {
      event: t.event,
      recoveryDueAt: recovering ? new Date(Date.now() + 60_000).toISOString() : undefined,
    });
    expect(saved).toBe(true);
  }

  const poller = new StreamPoller({
    streams,
    sqs,
    streamArn: streamArn ?? '',
    trigger: trigger as StreamTrigger,
    fn: { name: 'publisher', invoke: (event) => handler(event as DynamoDBStreamEvent) },
    onFailureQueueUrl: queues[2]?.url ?? '',
    checkpoints: new CheckpointStore(),
    idleMs: 20,
  });
  poller.start();
  const lastSeq = script.events.at(-1)?.seq ?? 0;
  const slot = async () =>
    (
      await doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: `PAYMENT#${script.initial.orderId}`, sk: '#PAYMENT' },
          ConsistentRead: true,
        }),
      )
    ).Item ?? {};
  try {
    const marked = await eventually(slot, (s) => s.publishedSeq === lastSeq, { timeoutMs: 10_000 });
    expect(marked.publishedSeq).toBe(lastSeq);
    // Give any record the publisher's own writes produced time to come through the stream.
    let seen = -1;
    while (seen !== admitted.length) {
      seen = admitted.length;
      await sleep(750);
    }
  } finally {
    await poller.stop();
  }
  const received = [];
  for (const queue of queues.slice(0, 2)) {
    received.push(
      (await drainQueue(sqs, queue.url)).map((m) => JSON.parse(m.Body ?? '{}').eventId as string),
    );
  }
  return { admitted, sends, received, slot: await slot() };
}

function payment(steps: readonly Step[]): ScriptedPayment {
  return scriptPayment(
    {
      orderId: unique('pubstream'),
      buyerId: 'buyer-1',
      orderName: 'stream',
      currency: 'KRW',
      items: items([unique('seller-a'), 6_000], [unique('seller-b'), 4_000]),
    },
    steps,
  );
}

describe('the publisher on the payments stream', () => {
  it('publishes a lone event once; the checkout, EXECUTING and bookkeeping writes are filtered out', async () => {
    const p = payment([{ kind: 'confirm' }]);
    const ids = p.events.map((e) => e.eventId);
    const run = await publishThroughTheStream(p);
    expect(run.admitted).toEqual([{ eventName: 'MODIFY', oldSeq: 0, newSeq: 1, publishedSeq: undefined }]);
    expect(run.sends).toEqual(ids);
    expect(run.received).toEqual([ids, ids]);
    expect(run.slot).toMatchObject({ eventSeq: 1, publishedSeq: 1 });
  });

  it('admits only the business writes when two events of a payment are queued up before it runs', async () => {
    const p = payment([{ kind: 'confirm' }, { kind: 'cancel', amount: 1_000 }]);
    const ids = p.events.map((e) => e.eventId);
    const run = await publishThroughTheStream(p);
    console.log(
      `publisher with 2 queued events: admitted ${JSON.stringify(run.admitted)}; sent ${JSON.stringify(run.sends)}`,
    );
    // Each event is on every subscriber queue, in seq order, and the slot is marked published.
    expect(run.received.map((q) => [...new Set(q)])).toEqual([ids, ids]);
    expect(run.slot).toMatchObject({ eventSeq: 2, publishedSeq: 2 });
    // Only the two business writes reach the publisher. A record whose payment still holds the same
    // event (oldSeq === newSeq) is a state-only update or the publisher's own `SET publishedSeq` and must not be admitted:
    // it re-sends event 2, which only FIFO deduplication (5 minutes on AWS; on local SQS only while
    // the first copy is still queued) or the consumers' markers then absorb.
    expect(run.admitted.filter((r) => r.oldSeq === r.newSeq)).toEqual([]);
    expect(run.admitted.map((r) => r.newSeq)).toEqual([1, 2]);
  });
});
