/**
 * Fault suite, crash points (DESIGN §10): a crash injected at one step of confirm, publish and
 * consume, each composed in-process on this file's own tables and queues in the local emulators
 * (DynamoDB Local, ElasticMQ) with the real PSP simulator. After each crash the invariants must
 * hold: PSP-approved ⇔ SUCCESS (after recovery), nothing lost, nothing doubled.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedgerStore } from '../../lambdas/adapters/dynamodb/ledger-store';
import { DynamoDbOutboxStore, outboxEntryOf } from '../../lambdas/adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { DynamoDbWalletStore } from '../../lambdas/adapters/dynamodb/wallet-store';
import { SqsCompletionReporter } from '../../lambdas/adapters/sqs/completion-reporter';
import { SqsEventPublisher } from '../../lambdas/adapters/sqs/event-publisher';
import { TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { confirmUseCase } from '../../lambdas/application/confirm';
import { publishOutboxUseCase, sweepOutboxUseCase } from '../../lambdas/application/publish-outbox';
import { recordLedgerUseCase } from '../../lambdas/application/record-ledger';
import { recoveryRunUseCase } from '../../lambdas/application/recovery';
import { settleWalletUseCase } from '../../lambdas/application/settle-wallet';
import type { DomainEvent } from '../../lambdas/domain/events';
import { isBalanced } from '../../lambdas/domain/ledger';
import { createPayment, type Payment } from '../../lambdas/domain/payment';
import type { CompletionReporter } from '../../lambdas/ports/completion';
import type { EventPublisher, OutboxStore } from '../../lambdas/ports/outbox';
import type { SaveOptions } from '../../lambdas/ports/payment-store';
import { documentClient } from '../../lambdas/shared/composition';
import { eventConsumer } from '../../lambdas/shared/event-consumer';
import { parseDomainEvent } from '../../lambdas/shared/event-schema';
import { idempotent } from '../../lambdas/shared/idempotent';
import {
  createFifoQueue,
  createTableLike,
  drainQueue,
  dropQueues,
  dropTables,
  expectedBalances,
  items,
  journal,
  lambdaContext,
  localDynamo,
  localSqs,
  recordingLogger,
  type ScriptedPayment,
  scriptPayment,
  sqsEventOf,
  type TestQueue,
  unique,
} from '../support/events';
import { localPrincipalArn, sim } from '../support/http-client';

jest.setTimeout(30_000);

const SECRET_KEY = 'test_sk_local_simulator';
const SETTINGS = { executingStaleAfterMs: 60_000, unknownFirstCheckAfterMs: 30_000 };

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let psp: TossPaymentGateway;
const tables: string[] = [];
const queues: TestQueue[] = [];

beforeAll(() => {
  if (!process.env.PSP_URL || !process.env.AWS_ENDPOINT_URL_DYNAMODB || !process.env.AWS_ENDPOINT_URL_SQS) {
    throw new Error('the integration tier needs the local stack (PSP_URL, AWS_ENDPOINT_URL_*)');
  }
  dynamo = localDynamo();
  doc = documentClient(dynamo);
  sqs = localSqs();
  psp = new TossPaymentGateway({
    baseUrl: process.env.PSP_URL,
    secretKey: async () => SECRET_KEY,
    requestTimeoutMs: 2_000,
    retryBudgetMs: 4_000,
  });
});

afterAll(async () => {
  await dropQueues(sqs, queues);
  await dropTables(dynamo, tables);
  sqs?.destroy();
  dynamo?.destroy();
}, 30_000);

async function table(kind: 'payments' | 'idempotency' | 'wallets' | 'ledger'): Promise<string> {
  const { name } = await createTableLike(dynamo, kind, 'fault');
  tables.push(name);
  return name;
}

async function queue(prefix: string, fifo = true): Promise<TestQueue> {
  const created = await createFifoQueue(sqs, prefix, { fifo });
  queues.push(created);
  return created;
}

/** One injected crash: the first call throws, later calls go through. */
class CrashOnce {
  fired = 0;

  constructor(private readonly what: string) {}

  check(): void {
    if (this.fired === 0) {
      this.fired += 1;
      throw new Error(`injected crash: ${this.what}`);
    }
  }
}

/** The real payment store whose `save` crashes once, as a Lambda dying before the transaction commits. */
class CrashingPaymentStore extends DynamoDbPaymentStore {
  readonly crash = new CrashOnce('before the outcome transaction');

  override async save(previous: Payment, next: Payment, options?: SaveOptions): Promise<boolean> {
    this.crash.check();
    return super.save(previous, next, options);
  }
}

async function paymentItems(tableName: string, orderId: string): Promise<Record<string, unknown>[]> {
  const answer = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `PAYMENT#${orderId}` },
      ConsistentRead: true,
    }),
  );
  return answer.Items ?? [];
}

function confirmedScript(): ScriptedPayment {
  return scriptPayment(
    {
      orderId: unique('fault'),
      buyerId: 'buyer-1',
      orderName: 'fault',
      currency: 'KRW',
      items: items([unique('seller-a'), 6_000], [unique('seller-b'), 4_000]),
    },
    [{ kind: 'confirm' }],
  );
}

/** Writes a scripted payment's transitions as the product does (payment + event + slot per transaction). */
async function persist(store: DynamoDbPaymentStore, script: ScriptedPayment): Promise<void> {
  expect(await store.create(script.initial, 'fingerprint')).toEqual({ created: true });
  for (const t of script.transitions) {
    const recovering = t.next.status === 'EXECUTING' || t.next.status === 'UNKNOWN';
    const saved = await store.save(t.previous, t.next, {
      event: t.event,
      recoveryDueAt: recovering ? new Date(Date.now() + 60_000).toISOString() : undefined,
    });
    expect(saved).toBe(true);
  }
}

describe('crash in confirm: PSP approved, outcome transaction never committed', () => {
  it('retries answer 409 without a second PSP confirm; recovery settles SUCCESS once; then the retry answers 200', async () => {
    const paymentsTable = await table('payments');
    const idempotencyTable = await table('idempotency');
    const store = new CrashingPaymentStore(doc, paymentsTable);
    // As lambdas/handlers/confirm-payment.ts composes it, on this test's tables.
    const confirm = idempotent(confirmUseCase({ store, psp, clock: () => new Date(), settings: SETTINGS }), {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: idempotencyTable,
        awsSdkV3Client: dynamo,
      }),
      keyPath: 'orderId',
      validationPath: '[paymentKey, amount]',
      keyPrefix: 'confirm',
      expiresAfterSeconds: 24 * 3600,
    });

    const orderId = unique('fault-confirm');
    const created = createPayment({
      orderId,
      owner: localPrincipalArn(),
      buyerId: 'buyer-1',
      orderName: 'Two books',
      currency: 'KRW',
      items: items([unique('seller-a'), 7_000], [unique('seller-b'), 3_000]),
      createdAt: new Date().toISOString(),
    });
    if (!created.ok) throw new Error(`checkout refused: ${created.reason}`);
    expect(await store.create(created.payment, 'fingerprint')).toEqual({ created: true });
    const paymentKey = await sim.session(orderId, 10_000);
    const command = { orderId, paymentKey, amount: 10_000, owner: localPrincipalArn() };
    const context = () => lambdaContext('confirmPayment', 28_000);

    // The crash: the PSP approved, the function dies before the transaction.
    await expect(confirm(command, context())).rejects.toThrow(/injected crash/);
    expect(store.crash.fired).toBe(1);
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
    expect(await store.get(orderId)).toMatchObject({ status: 'EXECUTING' });

    // A client retry: the payment is EXECUTING, so 409 and no second PSP confirm.
    const retry = await confirm(command, context());
    expect(retry.statusCode).toBe(409);
    expect(retry.headers).not.toHaveProperty('Idempotent-Replayed');
    expect(JSON.parse(retry.body)).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });

    // Recovery, once the EXECUTING state is stale.
    const later = Date.now() + SETTINGS.executingStaleAfterMs + 1_000;
    const report = await recoveryRunUseCase({
      store,
      psp,
      clock: () => new Date(later),
      random: Math.random,
      leaseMs: 30_000,
      owner: 'fault-recovery',
    })({ remainingMs: () => 60_000 }, 100);
    expect(report).toMatchObject({
      examined: 1,
      outcomes: { approved: 1, failed: 0, exhausted: 0, rescheduled: 0, skipped: 0 },
    });

    const stored = await paymentItems(paymentsTable, orderId);
    const payment = stored.find((i) => i.sk === '#PAYMENT');
    expect(payment).toMatchObject({ status: 'SUCCESS', paymentKey, amount: 10_000, eventSeq: 1 });
    expect(payment).not.toHaveProperty('recoveryDueAt');
    const events = stored.filter((i) => String(i.sk).startsWith('EVENT#'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'PaymentConfirmed', seq: 1, eventId: `${orderId}:1` });
    // The payment item is its own outbox slot: it points at event 1 until every consumer applied it.
    expect(payment).toMatchObject({ lastWriter: 'transaction', incompleteShard: expect.any(String) });

    // The client retries again: the stored outcome, 200 SUCCESS; then a replay of it.
    const answered = await confirm(command, context());
    expect(answered.statusCode).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({
      orderId,
      status: 'SUCCESS',
      paymentKey,
      amount: 10_000,
    });
    const replayed = await confirm(command, context());
    expect(replayed.statusCode).toBe(200);
    expect(replayed.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(replayed.body).toBe(answered.body);
    expect(JSON.parse(replayed.body)).toEqual(JSON.parse(answered.body));

    // PSP-approved ⇔ SUCCESS, approved exactly once; nothing else was written.
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1, amount: 10_000 });
    expect(
      (await paymentItems(paymentsTable, orderId)).filter((i) => String(i.sk).startsWith('EVENT#')),
    ).toHaveLength(1);
  });
});

describe('crash in publish: sent to the queues, markPublished never ran', () => {
  it('leaves the slot unpublished; the sweeper republishes; every subscriber gets it and credits once', async () => {
    const paymentsTable = await table('payments');
    const walletsTable = await table('wallets');
    const ledgerTable = await table('ledger');
    const [walletQueue, ledgerQueue] = [await queue('fault-wallet'), await queue('fault-ledger')];
    const payments = new DynamoDbPaymentStore(doc, paymentsTable);
    const crash = new CrashOnce('before markPublished');
    const outbox: OutboxStore = new (class extends DynamoDbOutboxStore {
      override async markPublished(orderId: string, seq: number): Promise<void> {
        crash.check();
        await super.markPublished(orderId, seq);
      }
    })(doc, paymentsTable);
    const sqsPublisher = new SqsEventPublisher(sqs, [walletQueue.url, ledgerQueue.url]);
    const sent: string[][] = [];
    const publisher: EventPublisher = {
      publish: async (events) => {
        sent.push(events.map((e) => e.eventId));
        await sqsPublisher.publish(events);
      },
    };
    const publish = publishOutboxUseCase({ outbox, publisher });

    const script = confirmedScript();
    await persist(payments, script);
    const [confirmed] = script.events as [DomainEvent];
    const slotOf = async () =>
      (
        await doc.send(
          new GetCommand({
            TableName: paymentsTable,
            Key: { pk: `PAYMENT#${confirmed.orderId}`, sk: '#PAYMENT' },
            ConsistentRead: true,
          }),
        )
      ).Item ?? {};

    // The stream-triggered publish sends, then crashes before recording it.
    await expect(publish(outboxEntryOf(await slotOf()))).rejects.toThrow(/injected crash/);
    expect(sent).toEqual([[confirmed.eventId]]);
    const stuck = await slotOf();
    expect(stuck).toMatchObject({ eventSeq: 1, incompleteShard: expect.any(String) });
    expect(stuck.publishedSeq).toBeUndefined();

    const sweep = sweepOutboxUseCase({
      outbox,
      publish,
      clock: () => new Date(),
      staleAfterMs: 0,
      batchLimit: 100,
    });
    expect(await sweep()).toEqual({ republished: 1, failures: [] });
    expect(sent).toEqual([[confirmed.eventId], [confirmed.eventId]]);
    const marked = await slotOf();
    expect(marked).toMatchObject({ eventSeq: 1, publishedSeq: 1 });
    expect(await sweep()).toEqual({ republished: 0, failures: [] });

    // Each subscriber has the event; any duplicate is the same eventId (FIFO dedup may drop it).
    const received = {
      wallet: (await drainQueue(sqs, walletQueue.url)).map((m) => parseDomainEvent(m.Body ?? '')),
      ledger: (await drainQueue(sqs, ledgerQueue.url)).map((m) => parseDomainEvent(m.Body ?? '')),
    };
    for (const messages of Object.values(received)) {
      expect(messages.length).toBeGreaterThanOrEqual(1);
      expect(messages.length).toBeLessThanOrEqual(2);
      expect(new Set(messages.map((e) => e.eventId))).toEqual(new Set([confirmed.eventId]));
    }

    // Applying every received message: one credit, one balanced journal transaction.
    const walletStore = new DynamoDbWalletStore(doc, walletsTable);
    const settle = settleWalletUseCase({ store: walletStore, clock: () => new Date() });
    const record = recordLedgerUseCase({ store: new DynamoDbLedgerStore(doc, ledgerTable) });
    const walletResults = [];
    for (const event of received.wallet) walletResults.push(await settle(event));
    const ledgerResults = [];
    for (const event of received.ledger) ledgerResults.push(await record(event));
    expect(walletResults).toEqual(received.wallet.map((_, i) => (i === 0 ? 'applied' : 'duplicate')));
    expect(ledgerResults).toEqual(received.ledger.map((_, i) => (i === 0 ? 'applied' : 'duplicate')));
    for (const [sellerId, balance] of expectedBalances([script.final])) {
      expect((await walletStore.get(sellerId))?.balance).toBe(balance);
    }
    const transactions = await journal(doc, ledgerTable);
    expect(transactions.map((t) => t.eventId)).toEqual([confirmed.eventId]);
    expect(transactions.every(isBalanced)).toBe(true);
  });
});

describe('crash in consume: wallet transaction committed, completion report never sent', () => {
  it('the redelivery is a duplicate, credits nothing more, and sends the report', async () => {
    const walletsTable = await table('wallets');
    // A standard queue, as topology's `completion`.
    const completionQueue = await queue('fault-completion', false);
    const walletStore = new DynamoDbWalletStore(doc, walletsTable);
    const settle = settleWalletUseCase({ store: walletStore, clock: () => new Date() });
    const results: string[] = [];
    const crash = new CrashOnce('before the completion report');
    const sqsReporter = new SqsCompletionReporter(sqs, completionQueue.url);
    const reporter: CompletionReporter = {
      report: async (report) => {
        crash.check();
        await sqsReporter.report(report);
      },
    };
    const { logger, lines } = recordingLogger();
    const handler = eventConsumer({
      consumer: 'wallet',
      apply: async (event) => {
        const result = await settle(event);
        results.push(result);
        return result;
      },
      reporter,
      logger,
    });

    const script = confirmedScript();
    const [confirmed] = script.events as [DomainEvent];
    const balances = expectedBalances([script.final]);
    const delivery = sqsEventOf([confirmed]);
    const messageId = delivery.Records[0]?.messageId;

    // First delivery: the credit commits, then the function dies before reporting → message failed.
    const first = await handler(delivery, lambdaContext('walletConsumer'));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    expect(results).toEqual(['applied']);
    expect(await drainQueue(sqs, completionQueue.url)).toEqual([]);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    for (const [sellerId, balance] of balances) {
      expect((await walletStore.get(sellerId))?.balance).toBe(balance);
    }

    // The same message again (SQS redelivers it after the visibility timeout).
    const second = await handler(delivery, lambdaContext('walletConsumer'));
    expect(second.batchItemFailures).toEqual([]);
    expect(results).toEqual(['applied', 'duplicate']);
    for (const [sellerId, balance] of balances) {
      expect((await walletStore.get(sellerId))?.balance).toBe(balance);
    }
    const reports = (await drainQueue(sqs, completionQueue.url)).map((m) => JSON.parse(m.Body ?? ''));
    expect(reports).toEqual([
      { consumer: 'wallet', orderId: confirmed.orderId, seq: 1, eventId: confirmed.eventId },
    ]);
  });
});
