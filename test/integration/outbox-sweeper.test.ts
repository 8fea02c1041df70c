/**
 * Lost publishes and the outbox sweeper (DESIGN §6), in-process against a payments table and two
 * subscriber FIFO queues of this test's own: payments are written with DynamoDbPaymentStore.save
 * (so the payment item, which is its own outbox slot, and the event items have the real layout), the publisher
 * logic (`publishOutboxUseCase`) loses a publish, and `sweepOutboxUseCase` with the real
 * SqsEventPublisher closes the gap: each event arrives once, in seq order, and the slot is marked
 * published. Every test gets a fresh table, because the sweeper reads the whole incomplete index.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutboxStore, outboxEntryOf } from '../../lambdas/adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { SqsEventPublisher } from '../../lambdas/adapters/sqs/event-publisher';
import { publishOutboxUseCase, sweepOutboxUseCase } from '../../lambdas/application/publish-outbox';
import type { DomainEvent } from '../../lambdas/domain/events';
import type { EventPublisher } from '../../lambdas/ports/outbox';
import { documentClient } from '../../lambdas/shared/composition';
import { parseDomainEvent } from '../../lambdas/shared/event-schema';
import {
  createFifoQueue,
  createTableLike,
  drainQueue,
  dropQueues,
  dropTables,
  items,
  localDynamo,
  localSqs,
  type ScriptedPayment,
  type Step,
  scriptPayment,
  type TestQueue,
  unique,
} from '../support/events';

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let subscribers: TestQueue[];
const tables: string[] = [];

beforeAll(async () => {
  dynamo = localDynamo();
  doc = documentClient(dynamo);
  sqs = localSqs();
  subscribers = [await createFifoQueue(sqs, 'sub-wallet'), await createFifoQueue(sqs, 'sub-ledger')];
});

afterAll(async () => {
  await dropQueues(sqs, subscribers);
  await dropTables(dynamo, tables);
  sqs.destroy();
  dynamo.destroy();
});

/** A fresh payments table, its stores, and publishers onto the test's subscriber queues. */
async function outboxFixture() {
  const table = (await createTableLike(dynamo, 'payments', 'outbox')).name;
  tables.push(table);
  const payments = new DynamoDbPaymentStore(doc, table);
  const outbox = new DynamoDbOutboxStore(doc, table);
  const real = new SqsEventPublisher(
    sqs,
    subscribers.map((q) => q.url),
  );
  /** Every publish call's events (eventIds), in call order. */
  const sent: string[][] = [];
  const counting: EventPublisher = {
    publish: async (events) => {
      sent.push(events.map((e) => e.eventId));
      await real.publish(events);
    },
  };
  const lost: EventPublisher = {
    publish: async () => {
      throw new Error('SendMessageBatch: connection reset');
    },
  };
  const sweeper = (staleAfterMs = 0) =>
    sweepOutboxUseCase({
      outbox,
      publish: publishOutboxUseCase({ outbox, publisher: counting }),
      clock: () => new Date(),
      staleAfterMs,
      batchLimit: 500,
    });

  /** Writes the payment and each transition as the product does (payment, its own outbox slot, + event in one transaction). */
  const persist = async (script: ScriptedPayment, upto = script.transitions.length) => {
    expect(await payments.create(script.initial, 'fingerprint')).toEqual({ created: true });
    for (const t of script.transitions.slice(0, upto)) {
      const recovering = t.next.status === 'EXECUTING' || t.next.status === 'UNKNOWN';
      const saved = await payments.save(t.previous, t.next, {
        event: t.event,
        recoveryDueAt: recovering ? new Date(Date.now() + 60_000).toISOString() : undefined,
      });
      expect(saved).toBe(true);
    }
  };
  const slot = async (orderId: string) =>
    (
      await doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: `PAYMENT#${orderId}`, sk: '#PAYMENT' },
          ConsistentRead: true,
        }),
      )
    ).Item ?? {};
  return { payments, outbox, sent, counting, lost, sweeper, persist, slot };
}

function payment(steps: readonly Step[]): ScriptedPayment {
  const [a, b] = [unique('seller-a'), unique('seller-b')];
  return scriptPayment(
    {
      orderId: unique('outbox'),
      buyerId: 'buyer-1',
      orderName: 'outbox',
      currency: 'KRW',
      items: items([a, 6_000], [b, 4_000]),
    },
    steps,
  );
}

/** What each subscriber queue holds now: the events' ids in receive order. */
async function delivered(): Promise<string[][]> {
  const out: string[][] = [];
  for (const queue of subscribers) {
    const messages = await drainQueue(sqs, queue.url);
    out.push(messages.map((m) => parseDomainEvent(m.Body ?? '').eventId));
  }
  return out;
}

const ids = (events: readonly DomainEvent[]) => events.map((e) => e.eventId);

beforeEach(async () => {
  // Nothing left over from a previous test on the shared subscriber queues.
  await delivered();
});

describe('a lost publish', () => {
  it('leaves the slot unpublished; the sweeper publishes it once and marks it, and a second sweep sends nothing', async () => {
    const f = await outboxFixture();
    const p = payment([{ kind: 'confirm' }]);
    await f.persist(p);
    const [confirmed] = p.events as [DomainEvent];

    // The publisher (stream-triggered) fails to send: the slot must stay marked unpublished.
    await expect(
      publishOutboxUseCase({ outbox: f.outbox, publisher: f.lost })(
        outboxEntryOf(await f.slot(confirmed.orderId)),
      ),
    ).rejects.toThrow(/connection reset/);
    const stuck = await f.slot(confirmed.orderId);
    expect(stuck).toMatchObject({ eventSeq: 1, incompleteShard: expect.any(String) });
    expect(stuck.publishedSeq).toBeUndefined();
    expect(await delivered()).toEqual([[], []]);

    // Not stale yet under the production setting (2 minutes): untouched.
    expect(await f.sweeper(120_000)()).toEqual({ republished: 0, failures: [] });
    expect(f.sent).toEqual([]);

    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });
    expect(f.sent).toEqual([[confirmed.eventId]]);
    expect(await delivered()).toEqual([[confirmed.eventId], [confirmed.eventId]]);
    const marked = await f.slot(confirmed.orderId);
    expect(marked).toMatchObject({ eventSeq: 1, publishedSeq: 1 });

    // Nothing is left to sweep.
    expect(await f.sweeper(0)()).toEqual({ republished: 0, failures: [] });
    expect(f.sent).toHaveLength(1);
    expect(await delivered()).toEqual([[], []]);
  });

  it('republishes every never-published event of a payment from the event items, in seq order', async () => {
    const f = await outboxFixture();
    const p = payment([{ kind: 'confirm' }, { kind: 'cancel', amount: 1_000 }]);
    await f.persist(p);
    const slot = await f.slot(p.initial.orderId);
    // The payment points at its latest event only; the earlier one was never published either.
    expect(slot).toMatchObject({ eventSeq: 2, incompleteShard: expect.any(String) });
    expect(slot.publishedSeq).toBeUndefined();

    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });
    expect(f.sent).toEqual([ids(p.events)]);
    expect(await delivered()).toEqual([ids(p.events), ids(p.events)]);
    expect(await f.slot(p.initial.orderId)).toMatchObject({ eventSeq: 2, publishedSeq: 2 });
    expect(await f.sweeper(0)()).toEqual({ republished: 0, failures: [] });
  });

  it('after event 1 was published, republishes only the lost event 2', async () => {
    const f = await outboxFixture();
    const p = payment([{ kind: 'confirm' }, { kind: 'cancel' }]);
    const [confirmed, canceled] = p.events as [DomainEvent, DomainEvent];
    // Execution + confirm, published by the stream publisher as normal.
    await f.persist(p, 2);
    await publishOutboxUseCase({ outbox: f.outbox, publisher: f.counting })(
      outboxEntryOf(await f.slot(confirmed.orderId)),
    );
    expect(await delivered()).toEqual([[confirmed.eventId], [confirmed.eventId]]);
    expect(await f.slot(confirmed.orderId)).toMatchObject({ eventSeq: 1, publishedSeq: 1 });

    // The cancel is committed, and its publish is lost.
    const t = p.transitions[2];
    if (!t) throw new Error('no cancel transition');
    expect(await f.payments.save(t.previous, t.next, { event: t.event })).toBe(true);
    await expect(
      publishOutboxUseCase({ outbox: f.outbox, publisher: f.lost })(
        outboxEntryOf(await f.slot(canceled.orderId)),
      ),
    ).rejects.toThrow();
    expect(await f.slot(canceled.orderId)).toMatchObject({
      eventSeq: 2,
      publishedSeq: 1,
      incompleteShard: expect.any(String),
    });

    f.sent.length = 0;
    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });
    expect(f.sent).toEqual([[canceled.eventId]]);
    expect(await delivered()).toEqual([[canceled.eventId], [canceled.eventId]]);
    expect(await f.slot(canceled.orderId)).toMatchObject({ eventSeq: 2, publishedSeq: 2 });
  });

  it('sweeps many payments, one failure not stopping the others', async () => {
    const f = await outboxFixture();
    const ps = Array.from({ length: 12 }, (_, i) =>
      payment(i % 3 === 0 ? [{ kind: 'confirm' }, { kind: 'cancel', amount: 500 }] : [{ kind: 'confirm' }]),
    );
    for (const p of ps) await f.persist(p);
    const poisoned = ps[4]?.initial.orderId;
    const flaky = sweepOutboxUseCase({
      outbox: f.outbox,
      publish: publishOutboxUseCase({
        outbox: f.outbox,
        publisher: {
          publish: async (events) => {
            if (events.some((e) => e.orderId === poisoned)) throw new Error('throttled');
            await f.counting.publish(events);
          },
        },
      }),
      clock: () => new Date(),
      staleAfterMs: 0,
      batchLimit: 500,
    });
    const first = await flaky();
    expect(first.republished).toBe(11);
    expect(first.failures.map((x) => x.orderId)).toEqual([poisoned]);
    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });

    const expected = ps.flatMap((p) => ids(p.events)).sort();
    const [wallet, ledger] = await delivered();
    expect([...(wallet ?? [])].sort()).toEqual(expected);
    expect([...(ledger ?? [])].sort()).toEqual(expected);
    // Per payment, in seq order.
    for (const p of ps) {
      expect((wallet ?? []).filter((id) => id.startsWith(`${p.initial.orderId}:`))).toEqual(ids(p.events));
    }
    expect(await f.sweeper(0)()).toEqual({ republished: 0, failures: [] });
  });
});
