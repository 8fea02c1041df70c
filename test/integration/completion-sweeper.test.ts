/**
 * Delivery assurance (DESIGN §8b), in-process against tables and FIFO queues of this test's own:
 * events published and then lost before a consumer applied them, and completion reports lost after
 * a consumer applied them, are made good by the completion sweeper, which republishes the payment
 * from its event items in seq order (`republishPaymentUseCase`). Consumers absorb the repeats and
 * report them again; the payment completes and leaves the sparse `incomplete` index. Completion of
 * an event happens once even when the wallet's and the ledger's reports race, and then the two
 * consumers' per-payment cursors are compared (the ledger-vs-wallet check).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAppliedAmounts } from '../../lambdas/adapters/dynamodb/apply-once';
import { DynamoDbLedgerStore } from '../../lambdas/adapters/dynamodb/ledger-store';
import { DynamoDbOutboxStore } from '../../lambdas/adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { DynamoDbWalletStore } from '../../lambdas/adapters/dynamodb/wallet-store';
import { SqsEventPublisher } from '../../lambdas/adapters/sqs/event-publisher';
import { getPaymentUseCase } from '../../lambdas/application/get-payment';
import { recordLedgerUseCase } from '../../lambdas/application/record-ledger';
import { recordSettlementUseCase, type SettlementOutcome } from '../../lambdas/application/record-settlement';
import { republishPaymentUseCase, sweepCompletionUseCase } from '../../lambdas/application/republish-payment';
import { settleWalletUseCase } from '../../lambdas/application/settle-wallet';
import type { SettlementReport, SettlingConsumer } from '../../lambdas/ports/completion';
import { documentClient } from '../../lambdas/shared/composition';
import { eventConsumer } from '../../lambdas/shared/event-consumer';
import { parseDomainEvent } from '../../lambdas/shared/event-schema';
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
  type Step,
  scriptPayment,
  sqsRecord,
  type TestQueue,
  unique,
} from '../support/events';

jest.setTimeout(60_000);

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
const tables: string[] = [];
const queues: TestQueue[] = [];

beforeAll(() => {
  dynamo = localDynamo();
  doc = documentClient(dynamo);
  sqs = localSqs();
});

afterAll(async () => {
  await dropQueues(sqs, queues);
  await dropTables(dynamo, tables);
  sqs.destroy();
  dynamo.destroy();
});

/** Fresh tables and subscriber queues, the consumers and the completion path wired as in Lambda. */
async function fixture() {
  const table = async (kind: 'payments' | 'wallets' | 'ledger') => {
    const { name } = await createTableLike(dynamo, kind, 'completion');
    tables.push(name);
    return name;
  };
  const [payments, wallets, ledger] = [
    await table('payments'),
    await table('wallets'),
    await table('ledger'),
  ];
  const walletQueue = await createFifoQueue(sqs, 'completion-wallet');
  const ledgerQueue = await createFifoQueue(sqs, 'completion-ledger');
  queues.push(walletQueue, ledgerQueue);
  const paymentStore = new DynamoDbPaymentStore(doc, payments);
  const outbox = new DynamoDbOutboxStore(doc, payments);
  const walletStore = new DynamoDbWalletStore(doc, wallets);
  const publisher = new SqsEventPublisher(sqs, [walletQueue.url, ledgerQueue.url]);
  const recordSettlement = recordSettlementUseCase({
    log: paymentStore,
    wallet: new DynamoDbAppliedAmounts(doc, wallets),
    ledger: new DynamoDbAppliedAmounts(doc, ledger),
  });
  const outcomes: SettlementOutcome[] = [];
  /** Reports go straight to the completion use case; `lose` drops one consumer's reports. */
  const lostReports = new Set<SettlingConsumer>();
  const reporter = {
    report: async (report: SettlementReport) => {
      if (!lostReports.has(report.consumer)) outcomes.push(await recordSettlement(report));
    },
  };
  const consumers = {
    wallet: eventConsumer({
      consumer: 'wallet',
      apply: settleWalletUseCase({ store: walletStore, clock: () => new Date() }),
      reporter,
      logger: recordingLogger().logger,
    }),
    ledger: eventConsumer({
      consumer: 'ledger',
      apply: recordLedgerUseCase({ store: new DynamoDbLedgerStore(doc, ledger) }),
      reporter,
      logger: recordingLogger().logger,
    }),
  };
  /** Receives what is on a consumer's queue and hands it to the consumer; `keep` filters what is not lost. */
  const deliver = async (consumer: SettlingConsumer, keep: (seq: number) => boolean = () => true) => {
    const queue = consumer === 'wallet' ? walletQueue : ledgerQueue;
    const messages = await drainQueue(sqs, queue.url);
    const events = messages.map((m) => parseDomainEvent(m.Body ?? ''));
    const kept = events.filter((e) => keep(e.seq));
    const records = kept.map((e) => sqsRecord(JSON.stringify(e), { groupId: e.orderId }));
    const result = await consumers[consumer]({ Records: records }, lambdaContext(consumer));
    expect(result.batchItemFailures).toEqual([]);
    return events.map((e) => e.seq);
  };
  const republish = republishPaymentUseCase({ outbox, publisher, clock: () => new Date() });
  const sweeper = (staleAfterMs: number) =>
    sweepCompletionUseCase({ outbox, republish, clock: () => new Date(), staleAfterMs, batchLimit: 100 });
  /** Writes the payment and its transitions as the product does (payment, event item, outbox slot). */
  const persist = async (script: ScriptedPayment) => {
    expect(await paymentStore.create(script.initial, 'fingerprint')).toEqual({ created: true });
    for (const t of script.transitions) {
      const recovering = t.next.status === 'EXECUTING' || t.next.status === 'UNKNOWN';
      const saved = await paymentStore.save(t.previous, t.next, {
        event: t.event,
        recoveryDueAt: recovering ? new Date(Date.now() + 60_000).toISOString() : undefined,
      });
      expect(saved).toBe(true);
    }
  };
  /** Persists, then publishes every event once, as the stream publisher does. */
  const persistAndPublish = async (script: ScriptedPayment) => {
    await persist(script);
    await publisher.publish(script.events);
    await outbox.markPublished(script.initial.orderId, script.events.length);
  };
  const slot = async (orderId: string) =>
    (
      await doc.send(
        new GetCommand({
          TableName: payments,
          Key: { pk: `PAYMENT#${orderId}`, sk: '#PAYMENT' },
          ConsistentRead: true,
        }),
      )
    ).Item ?? {};
  return {
    payments,
    wallets,
    ledger,
    paymentStore,
    outbox,
    walletStore,
    deliver,
    lostReports,
    outcomes,
    recordSettlement,
    republish,
    sweeper,
    persist,
    persistAndPublish,
    slot,
  };
}

function payment(steps: readonly Step[]): ScriptedPayment {
  return scriptPayment(
    {
      orderId: unique('completion'),
      buyerId: 'buyer-1',
      orderName: 'completion',
      currency: 'KRW',
      items: items([unique('seller-a'), 6_000], [unique('seller-b'), 4_000]),
    },
    steps,
  );
}

const settledBy = async (f: Awaited<ReturnType<typeof fixture>>, orderId: string) =>
  [...((await f.paymentStore.view(orderId))?.settledBy ?? [])].sort();

describe('completion sweeper', () => {
  it('republishes a payment whose event was lost before the wallet applied it: in seq order, applied once, completed', async () => {
    const f = await fixture();
    const script = payment([{ kind: 'confirm' }, { kind: 'cancel', amount: 3_000 }]);
    const { orderId } = script.initial;
    await f.persistAndPublish(script);
    // The ledger applies both events; the wallet's cancel is lost (a queue restarted empty).
    expect(await f.deliver('ledger')).toEqual([1, 2]);
    expect(await f.deliver('wallet', (seq) => seq === 1)).toEqual([1, 2]);
    // Not complete while the wallet lags: the view shows no consumer, the status read asks the cursors.
    expect(await settledBy(f, orderId)).toEqual([]);
    const status = getPaymentUseCase({
      store: f.paymentStore,
      applied: {
        wallet: new DynamoDbAppliedAmounts(doc, f.wallets),
        ledger: new DynamoDbAppliedAmounts(doc, f.ledger),
      },
    });
    expect(JSON.parse((await status(orderId, { principal: 'ops', operator: true })).body)).toMatchObject({
      walletSettled: false,
      ledgerRecorded: true,
      done: false,
    });
    expect((await f.slot(orderId)).incompleteShard).toBeDefined();

    // Not stale yet: nothing happens. Stale: republished from the event items, both events in order.
    expect(await f.sweeper(3_600_000)()).toEqual({ republished: 0, failures: [] });
    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });
    // The queues deliver the republish although the first sends are within FIFO's dedup window.
    expect(await f.deliver('wallet')).toEqual([1, 2]);
    expect(await f.deliver('ledger')).toEqual([1, 2]);

    expect(await settledBy(f, orderId)).toEqual(['ledger', 'wallet']);
    expect((await f.slot(orderId)).incompleteShard).toBeUndefined();
    expect(await f.sweeper(0)()).toEqual({ republished: 0, failures: [] });
    for (const [seller, balance] of expectedBalances([script.final])) {
      expect((await f.walletStore.get(seller))?.balance).toBe(balance);
    }
    expect((await journal(doc, f.ledger)).map((t) => t.seq).sort()).toEqual([1, 2]);
    expect(f.outcomes.filter((o) => o.kind !== 'pending')).toEqual([{ kind: 'completed' }]);
  });

  it('heals lost completion reports: the consumers re-report what they applied before, nothing is applied twice', async () => {
    const f = await fixture();
    const script = payment([{ kind: 'confirm' }]);
    const { orderId } = script.initial;
    await f.persistAndPublish(script);
    f.lostReports.add('wallet');
    f.lostReports.add('ledger');
    await f.deliver('wallet');
    await f.deliver('ledger');
    expect(await settledBy(f, orderId)).toEqual([]);

    f.lostReports.clear();
    expect(await f.sweeper(0)()).toEqual({ republished: 1, failures: [] });
    // Republished, the completion clock restarts: a second run leaves the payment to the consumers.
    expect(await f.sweeper(1_000)()).toEqual({ republished: 0, failures: [] });
    await f.deliver('wallet');
    await f.deliver('ledger');
    expect(await settledBy(f, orderId)).toEqual(['ledger', 'wallet']);
    expect((await f.slot(orderId)).incompleteShard).toBeUndefined();
    expect((await journal(doc, f.ledger)).map((t) => t.eventId)).toEqual([script.events[0]?.eventId]);
    for (const [seller, balance] of expectedBalances([script.final])) {
      expect((await f.walletStore.get(seller))?.balance).toBe(balance);
    }
  });

  it('keeps the clock of the oldest event not applied everywhere: a newer event does not hide a lost one', async () => {
    const f = await fixture();
    const script = payment([{ kind: 'confirm' }, { kind: 'cancel', amount: 1_000 }]);
    const { orderId } = script.initial;
    await f.persistAndPublish(script);
    // Both events were written a minute apart in the script's clock: the slot is incomplete since the first.
    expect((await f.slot(orderId)).incompleteSince).toBe(script.events[0]?.occurredAt);
  });

  it('republish of an order without events is nothing to do', async () => {
    const f = await fixture();
    expect(await f.republish(unique('no-such-order'))).toBeUndefined();
  });
});

describe('completion: once per event, then wallet vs ledger per payment', () => {
  it('completes each event exactly once when the wallet and ledger reports race (40 payments, twice)', async () => {
    const f = await fixture();
    const scripts = Array.from({ length: 40 }, () => payment([{ kind: 'confirm' }]));
    for (const script of scripts) await f.persistAndPublish(script);
    // Both consumers apply every event; their reports are held back to be raced below.
    f.lostReports.add('wallet');
    f.lostReports.add('ledger');
    await f.deliver('wallet');
    await f.deliver('ledger');
    /** Both consumers' reports of every payment's event, recorded at the same moment. */
    const race = () =>
      Promise.all(
        scripts.map(async ({ initial: { orderId } }) => {
          const outcomes = await Promise.all(
            (['wallet', 'ledger'] as const).map((consumer) =>
              f.recordSettlement({ consumer, orderId, seq: 1, eventId: `${orderId}:1` }),
            ),
          );
          return outcomes.filter((o) => o.kind !== 'pending').length;
        }),
      );
    expect(await race()).toEqual(scripts.map(() => 1));
    for (const { initial } of scripts)
      expect((await f.slot(initial.orderId)).incompleteShard).toBeUndefined();
    // Every report again: nothing completes a second time.
    expect(await race()).toEqual(scripts.map(() => 0));
  });

  it('reports a divergence when the wallet applied another amount than the ledger for a payment', async () => {
    const f = await fixture();
    const script = payment([{ kind: 'confirm' }]);
    const { orderId } = script.initial;
    await f.persistAndPublish(script);
    f.lostReports.add('wallet');
    f.lostReports.add('ledger');
    await f.deliver('wallet');
    await f.deliver('ledger');
    // A wallet cursor that disagrees with what the wallet applied (a bug or a manual edit).
    await doc.send(
      new UpdateCommand({
        TableName: f.wallets,
        Key: { pk: `CURSOR#${orderId}`, sk: '#CURSOR' },
        UpdateExpression: 'ADD applied :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    f.lostReports.clear();
    expect(
      await f.recordSettlement({ consumer: 'wallet', orderId, seq: 1, eventId: `${orderId}:1` }),
    ).toEqual({
      kind: 'diverged',
      seq: 1,
      wallet: 10_001,
      ledger: 10_000,
    });
  });
});
