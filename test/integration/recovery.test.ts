/**
 * Recovery of stuck payments (DESIGN §8) against DynamoDB Local and the PSP simulator: the
 * recovery use case composed in-process (as lambdas/handlers/recovery.ts does) over a fresh
 * payments-like table per test, so the local stack's own 15-second recovery schedule, which
 * works on `payments`, never touches these payments.
 */

import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX_SHARDS } from '../../lambdas/adapters/dynamodb/keys';
import { DynamoDbPaymentStore } from '../../lambdas/adapters/dynamodb/payment-store';
import { TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { type RecoveryRunReport, recoveryRunUseCase } from '../../lambdas/application/recovery';
import {
  createPayment,
  type Payment,
  PSP_CANCEL_KEY_TRUSTED_MS,
  requestCancel,
} from '../../lambdas/domain/payment';
import {
  DEFAULT_RECOVERY_POLICY,
  RECOVERY_EXHAUSTED,
  type RecoveryPolicy,
} from '../../lambdas/domain/recovery';
import type {
  CancelRequest,
  ConfirmRequest,
  Deadline,
  PaymentGateway,
  PspLookup,
  PspResult,
} from '../../lambdas/ports/psp';
import { documentClient } from '../../lambdas/shared/composition';
import { topology } from '../../lib/topology';
import { ensureTable } from '../../local/runtime/provision';
import { localPrincipalArn, sim } from '../support/http-client';

const SECRET_KEY = 'test_sk_local_simulator';
const AUTH = `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`;
// Each test makes its own table: on a loaded machine that alone can take seconds.
jest.setTimeout(30_000);

const LEASE_MS = 30_000;
const ROOMY: Deadline = { remainingMs: () => 60_000 };

/** DynamoDB requests by command name, as sent on the wire (retries included). */
const requests = new Map<string, number>();
const totalRequests = () => [...requests.values()].reduce((sum, n) => sum + n, 0);

function dynamoClient(counted: boolean): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  if (counted) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        requests.set(name, (requests.get(name) ?? 0) + 1);
        return next(args);
      },
      // After the retry step: every HTTP attempt counts.
      { step: 'deserialize', name: 'countRecoveryRequests' },
    );
  }
  return client;
}

let counted: DynamoDBClient;
let plain: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let psp: TossPaymentGateway;
const tables: string[] = [];

beforeAll(() => {
  if (!process.env.PSP_URL || !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error('the integration tier needs the local stack (PSP_URL, AWS_ENDPOINT_URL_DYNAMODB)');
  }
  counted = dynamoClient(true);
  plain = dynamoClient(false);
  documents = documentClient(plain);
  psp = new TossPaymentGateway({
    baseUrl: process.env.PSP_URL,
    secretKey: async () => SECRET_KEY,
    requestTimeoutMs: 2_000,
    retryBudgetMs: 4_000,
  });
});

afterAll(async () => {
  for (const table of tables) await plain.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
  counted?.destroy();
  plain?.destroy();
}, 30_000);

/**
 * A fresh payments-like table (same keys and indexes) and two stores on it: counted and not.
 * `withoutStream` only for bulk loads: DynamoDB Local writes several times slower with a stream,
 * which recovery neither reads nor changes how it writes.
 */
async function freshTable(options: { withoutStream?: boolean } = {}): Promise<{
  table: string;
  store: DynamoDbPaymentStore;
  setup: DynamoDbPaymentStore;
}> {
  const table = `recovery-it-${randomUUID().slice(0, 8)}`;
  const spec = topology.tables.payments;
  await ensureTable(plain, table, options.withoutStream ? { ...spec, stream: undefined } : spec);
  tables.push(table);
  return {
    table,
    store: new DynamoDbPaymentStore(documentClient(counted), table),
    setup: new DynamoDbPaymentStore(documents, table),
  };
}

const newOrderId = () => `rcv-${randomUUID()}`;
const iso = (ms: number) => new Date(ms).toISOString();

function newPayment(orderId: string): Payment {
  const created = createPayment({
    orderId,
    owner: localPrincipalArn(),
    buyerId: 'buyer-1',
    orderName: 'Two books',
    currency: 'KRW',
    items: [
      { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 },
      { sellerId: 'seller-b', productId: 'book-2', amount: 3_000 },
    ],
    createdAt: iso(Date.now() - 300_000),
  });
  if (!created.ok) throw new Error(`checkout refused: ${created.reason}`);
  return created.payment;
}

/** Our side: the payment was created, execution began, and it is now EXECUTING and due. */
async function stuckExecuting(
  store: DynamoDbPaymentStore,
  orderId: string,
  paymentKey: string,
  dueAt = iso(Date.now() - 60_000),
): Promise<Payment> {
  const payment = newPayment(orderId);
  const created = await store.create(payment, 'fingerprint');
  if (!created.created) throw new Error(`order ${orderId} exists`);
  const begun = await store.beginExecution({
    orderId,
    owner: localPrincipalArn(),
    paymentKey,
    amount: payment.amount,
    at: iso(Date.now() - 120_000),
    recoveryDueAt: dueAt,
  });
  if (!begun.ok) throw new Error(`beginExecution refused for ${orderId}`);
  return begun.payment;
}

/** The PSP approved it (our confirm reached it), but we never recorded the answer. */
async function confirmAtPsp(orderId: string, amount: number, paymentKey: string): Promise<void> {
  const answer = await fetch(`${sim.url()}/v1/payments/confirm`, {
    method: 'POST',
    headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Idempotency-Key': orderId },
    body: JSON.stringify({ paymentKey, orderId, amount }),
  });
  if (answer.status !== 200) throw new Error(`PSP confirm refused: ${answer.status} ${await answer.text()}`);
}

async function itemsOf(table: string, orderId: string): Promise<Map<string, Record<string, unknown>>> {
  const answer = await documents.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `PAYMENT#${orderId}` },
      ConsistentRead: true,
    }),
  );
  return new Map((answer.Items ?? []).map((item) => [String(item.sk), item]));
}

function recovery(
  store: DynamoDbPaymentStore,
  gateway: PaymentGateway,
  options: { owner?: string; clock?: () => Date; policy?: RecoveryPolicy } = {},
) {
  const run = recoveryRunUseCase({
    store,
    psp: gateway,
    clock: options.clock ?? (() => new Date()),
    random: Math.random,
    policy: options.policy ?? DEFAULT_RECOVERY_POLICY,
    leaseMs: LEASE_MS,
    owner: options.owner ?? 'recovery-it',
  });
  return (limit = 200): Promise<RecoveryRunReport> => run(ROOMY, limit);
}

/** Wraps a gateway and counts its calls per orderId. */
class CountingGateway implements PaymentGateway {
  readonly lookups = new Map<string, number>();
  readonly confirms = new Map<string, number>();

  constructor(private readonly inner: PaymentGateway) {}

  confirm(request: ConfirmRequest, deadline: Deadline): Promise<PspResult> {
    this.confirms.set(request.orderId, (this.confirms.get(request.orderId) ?? 0) + 1);
    return this.inner.confirm(request, deadline);
  }

  cancel(request: CancelRequest, deadline: Deadline): Promise<PspResult> {
    return this.inner.cancel(request, deadline);
  }

  findByOrderId(orderId: string, deadline: Deadline): Promise<PspLookup> {
    this.lookups.set(orderId, (this.lookups.get(orderId) ?? 0) + 1);
    return this.inner.findByOrderId(orderId, deadline);
  }
}

/** A PSP that can never be reached: every lookup ends unknown; confirm must not be attempted. */
/** A PSP that answers every lookup with a status nobody can act on. */
class InconclusivePsp implements PaymentGateway {
  lookups = 0;

  async confirm(): Promise<PspResult> {
    throw new Error('recovery must not re-confirm without knowing the PSP status');
  }

  async cancel(): Promise<PspResult> {
    throw new Error('recovery never cancels');
  }

  async findByOrderId(orderId: string): Promise<PspLookup> {
    this.lookups += 1;
    const payment = { paymentKey: 'tsim_unreachable', orderId, status: 'SOMETHING_NEW' };
    return {
      kind: 'found',
      payment: { ...payment, totalAmount: 10_000, balanceAmount: 10_000, cancels: [] },
    };
  }
}

function expectNoRecoveryKeys(item: Record<string, unknown> | undefined): void {
  expect(item).toBeDefined();
  for (const attribute of ['recoveryShard', 'recoveryDueAt', 'leaseOwner', 'leaseUntil']) {
    expect(item).not.toHaveProperty(attribute);
  }
}

describe('recovery against DynamoDB Local and the PSP simulator', () => {
  it('EXECUTING after the PSP approved it → SUCCESS with its event and outbox slot, no second confirm', async () => {
    const { table, store, setup } = await freshTable();
    const orderId = newOrderId();
    const paymentKey = await sim.session(orderId, 10_000);
    await confirmAtPsp(orderId, 10_000, paymentKey);
    await stuckExecuting(setup, orderId, paymentKey);

    const report = await recovery(store, psp)();

    expect(report).toMatchObject({
      examined: 1,
      outcomes: { approved: 1, failed: 0, exhausted: 0, rescheduled: 0, skipped: 0 },
    });
    const items = await itemsOf(table, orderId);
    const payment = items.get('#PAYMENT');
    expect(payment).toMatchObject({ status: 'SUCCESS', paymentKey, eventSeq: 1, version: 3 });
    expectNoRecoveryKeys(payment);
    expect(items.get('EVENT#0000000001')).toMatchObject({
      eventId: `${orderId}:1`,
      type: 'PaymentConfirmed',
      seq: 1,
      payload: expect.objectContaining({ orderId, amount: 10_000, paymentKey }),
    });
    // The payment item is its own outbox slot: a business transaction's write, incomplete until applied.
    expect(payment).toMatchObject({
      lastWriter: 'transaction',
      incompleteShard: expect.stringMatching(/^COMPLETION#\d+$/),
    });
    // DONE at the PSP: recovery only looked, it never confirmed again.
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
  });

  it('a cancel intent older than its PSP key is never re-sent: held (alarm) until the PSP shows its cancel', async () => {
    const { table, store, setup } = await freshTable();
    const orderId = newOrderId();
    const paymentKey = await sim.session(orderId, 10_000);
    await confirmAtPsp(orderId, 10_000, paymentKey);
    await stuckExecuting(setup, orderId, paymentKey);
    expect((await recovery(store, psp)()).outcomes.approved).toBe(1);

    // A cancel intent whose request died 15 days ago: Toss may have forgotten its key by now.
    const approved = await setup.get(orderId);
    if (!approved) throw new Error('no payment');
    const longAgo = iso(Date.now() - PSP_CANCEL_KEY_TRUSTED_MS - 86_400_000);
    const asked = requestCancel(approved, {
      requestKey: `cancel-${orderId}-old`,
      cancelAmount: 4_000,
      cancelReason: 'returned',
      at: longAgo,
    });
    if (!asked.ok || asked.kind !== 'pending') throw new Error('cancel refused');
    expect(await setup.save(approved, asked.payment, { recoveryDueAt: iso(Date.now() - 1_000) })).toBe(true);

    const held = await recovery(store, psp)();
    expect(held).toMatchObject({ outcomes: { cancelHeld: 1, canceled: 0 }, heldCancels: [orderId] });
    expect(await sim.truth(orderId)).toMatchObject({ balanceAmount: 10_000, cancelCalls: 0 });
    expect((await itemsOf(table, orderId)).get('#PAYMENT')).toMatchObject({
      status: 'SUCCESS',
      pendingCancels: [expect.objectContaining({ amount: 4_000 })],
    });

    // An operator makes the refund in the PSP's console: the next look records it as the intent's own.
    const made = await fetch(`${sim.url()}/v1/payments/${paymentKey}/cancel`, {
      method: 'POST',
      headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cancelReason: 'operator', cancelAmount: 4_000 }),
    });
    expect(made.status).toBe(200);
    const items = await itemsOf(table, orderId);
    const payment = items.get('#PAYMENT');
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [table]: [{ PutRequest: { Item: { ...payment, recoveryDueAt: iso(Date.now() - 1_000) } } }],
        },
      }),
    );
    const settledRun = await recovery(store, psp)();
    expect(settledRun.outcomes).toMatchObject({ canceled: 1, cancelHeld: 0 });
    expect((await itemsOf(table, orderId)).get('#PAYMENT')).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 6_000,
      pendingCancels: [],
      cancels: [expect.objectContaining({ requestKey: `cancel-${orderId}-old`, amount: 4_000 })],
    });
    expect(await sim.truth(orderId)).toMatchObject({ balanceAmount: 6_000, cancelCalls: 1 });
  }, 30_000);

  it('an order the PSP never saw (lookup: not found) → NOT_STARTED again, confirmable, no event', async () => {
    const { table, store, setup } = await freshTable();
    const orderId = newOrderId();
    await stuckExecuting(setup, orderId, `tsim_never_seen_${randomUUID().slice(0, 8)}`);

    const report = await recovery(store, psp)();

    expect(report.outcomes).toMatchObject({ reopened: 1, failed: 0, approved: 0 });
    const items = await itemsOf(table, orderId);
    expect(items.get('#PAYMENT')).toMatchObject({ status: 'NOT_STARTED', eventSeq: 0 });
    expect(items.get('#PAYMENT')).not.toHaveProperty('paymentKey');
    expectNoRecoveryKeys(items.get('#PAYMENT'));
    expect(items.get('#PAYMENT')).not.toHaveProperty('incompleteShard');
    expect(items.get('#PAYMENT')).toMatchObject({ lastWriter: 'state' });
  });

  it('a session the PSP holds but never confirmed (READY) is re-confirmed once and becomes SUCCESS', async () => {
    const { table, store, setup } = await freshTable();
    const orderId = newOrderId();
    const paymentKey = await sim.session(orderId, 10_000);
    await stuckExecuting(setup, orderId, paymentKey);
    const gateway = new CountingGateway(psp);

    const report = await recovery(store, gateway)();

    expect(report.outcomes.approved).toBe(1);
    expect(gateway.confirms.get(orderId)).toBe(1);
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
    const items = await itemsOf(table, orderId);
    expect(items.get('#PAYMENT')).toMatchObject({ status: 'SUCCESS', paymentKey, eventSeq: 1 });
    expect(items.get('#PAYMENT')).toMatchObject({
      lastWriter: 'transaction',
      incompleteShard: expect.any(String),
    });
  });

  it('inconclusive PSP answers end in FAILURE RECOVERY_EXHAUSTED after maxAttempts looks, gaps growing', async () => {
    const { table, store, setup } = await freshTable();
    const policy: RecoveryPolicy = { baseDelayMs: 10, maxDelayMs: 10_000, maxAttempts: 4 };
    const orderId = newOrderId();
    await stuckExecuting(setup, orderId, 'tsim_unreachable');
    const unreachable = new InconclusivePsp();
    // A stepping clock: each run happens an hour after the last, so the payment is due every time.
    let now = Date.now();
    const run = recovery(store, unreachable, { clock: () => new Date(now), policy });

    const seen: { status: unknown; attempts: unknown; gapMs: number }[] = [];
    for (let look = 1; look <= policy.maxAttempts; look++) {
      const report = await run();
      expect(report.examined).toBe(1);
      const payment = (await itemsOf(table, orderId)).get('#PAYMENT');
      seen.push({
        status: payment?.status,
        attempts: payment?.recoveryAttempts,
        gapMs: payment?.recoveryDueAt ? Date.parse(String(payment.recoveryDueAt)) - now : Number.NaN,
      });
      now += 3_600_000;
    }

    expect(unreachable.lookups).toBe(policy.maxAttempts);
    expect(seen.map((s) => s.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'FAILURE']);
    expect(seen.map((s) => s.attempts)).toEqual([1, 2, 3, 3]);
    // After k looks the next look is drawn from [w/2, w], w = base·2^k.
    seen.slice(0, 3).forEach(({ gapMs }, index) => {
      const window = policy.baseDelayMs * 2 ** (index + 1);
      expect(gapMs).toBeGreaterThanOrEqual(window / 2);
      expect(gapMs).toBeLessThanOrEqual(window);
    });

    const items = await itemsOf(table, orderId);
    expect(items.get('#PAYMENT')).toMatchObject({
      status: 'FAILURE',
      failure: { code: RECOVERY_EXHAUSTED },
      eventSeq: 1,
    });
    expectNoRecoveryKeys(items.get('#PAYMENT'));
    expect(items.get('EVENT#0000000001')).toMatchObject({
      type: 'PaymentFailed',
      payload: expect.objectContaining({ failure: expect.objectContaining({ code: RECOVERY_EXHAUSTED }) }),
    });
    expect(items.get('#PAYMENT')).toMatchObject({
      lastWriter: 'transaction',
      incompleteShard: expect.any(String),
    });
    // Out of the index: a later run finds nothing and asks nobody.
    expect((await run()).examined).toBe(0);
    expect(unreachable.lookups).toBe(policy.maxAttempts);
  });

  it('two runs started at the same moment never work on one payment twice', async () => {
    const { table, store, setup } = await freshTable();
    const orders = Array.from({ length: 10 }, newOrderId);
    await Promise.all(
      orders.map(async (orderId) => {
        const paymentKey = await sim.session(orderId, 10_000);
        await stuckExecuting(setup, orderId, paymentKey);
      }),
    );
    const gateway = new CountingGateway(psp);
    const other = new DynamoDbPaymentStore(documentClient(counted), table);

    const reports = await Promise.all([
      recovery(store, gateway, { owner: 'run-a' })(),
      recovery(other, gateway, { owner: 'run-b' })(),
    ]);

    const approved = reports.reduce((sum, r) => sum + r.outcomes.approved, 0);
    const skipped = reports.reduce((sum, r) => sum + r.outcomes.skipped, 0);
    console.log(
      `concurrent runs: run-a ${JSON.stringify(reports[0]?.outcomes)}, run-b ${JSON.stringify(reports[1]?.outcomes)}`,
    );
    expect(approved).toBe(orders.length);
    expect(skipped).toBe(reports.reduce((sum, r) => sum + r.examined, 0) - orders.length);
    for (const orderId of orders) {
      expect(gateway.lookups.get(orderId)).toBe(1);
      expect(gateway.confirms.get(orderId) ?? 0).toBeLessThanOrEqual(1);
      expect((await sim.truth(orderId)).confirmCalls).toBeLessThanOrEqual(1);
      expect((await itemsOf(table, orderId)).get('#PAYMENT')).toMatchObject({
        status: 'SUCCESS',
        eventSeq: 1,
      });
    }
    expect([...gateway.lookups.values()].reduce((a, b) => a + b, 0)).toBe(orders.length);
  });

  describe('cost', () => {
    const STUCK = 20;

    /** Healthy (SUCCESS) payment items, written straight with BatchWriteItem: not in the recovery index. */
    async function writeHealthy(table: string, from: number, count: number): Promise<void> {
      const at = iso(Date.now() - 86_400_000);
      const items = Array.from({ length: count }, (_, i) => {
        const orderId = `healthy-${String(from + i).padStart(6, '0')}`;
        return {
          pk: `PAYMENT#${orderId}`,
          sk: '#PAYMENT',
          orderId,
          buyerId: 'buyer-1',
          orderName: 'Two books',
          currency: 'KRW',
          amount: 10_000,
          balanceAmount: 10_000,
          items: [
            { sellerId: 'seller-a', productId: 'book-1', amount: 7_000, balanceAmount: 7_000 },
            { sellerId: 'seller-b', productId: 'book-2', amount: 3_000, balanceAmount: 3_000 },
          ],
          status: 'SUCCESS',
          paymentKey: `tsim_${orderId}`,
          approvedAt: at,
          version: 3,
          eventSeq: 1,
          createdAt: at,
          updatedAt: at,
          fingerprint: 'fingerprint',
        };
      });
      const chunks: (typeof items)[] = [];
      for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
      let next = 0;
      const worker = async () => {
        for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
          let pending: Record<string, unknown>[] | undefined = chunk.map((Item) => ({
            PutRequest: { Item },
          }));
          while (pending?.length) {
            const answer = await documents.send(
              new BatchWriteCommand({ RequestItems: { [table]: pending as never } }),
            );
            pending = answer.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    }

    /** STUCK payments left EXECUTING after the PSP approved them. */
    async function writeStuck(setup: DynamoDbPaymentStore): Promise<string[]> {
      const orders = Array.from({ length: STUCK }, newOrderId);
      await Promise.all(
        orders.map(async (orderId) => {
          const paymentKey = await sim.session(orderId, 10_000);
          await confirmAtPsp(orderId, 10_000, paymentKey);
          await stuckExecuting(setup, orderId, paymentKey);
        }),
      );
      return orders;
    }

    async function measuredRun(store: DynamoDbPaymentStore, healthy: number) {
      requests.clear();
      const report = await recovery(store, psp)();
      const byCommand = Object.fromEntries([...requests.entries()].sort(([a], [b]) => a.localeCompare(b)));
      const total = totalRequests();
      console.log(
        `recovery run, ${healthy} healthy + ${STUCK} stuck payments: ${total} DynamoDB requests ` +
          `${JSON.stringify(byCommand)}; ${(total / STUCK).toFixed(2)} per stuck payment ` +
          `(${((total - (requests.get('QueryCommand') ?? 0)) / STUCK).toFixed(2)} excluding the index queries)`,
      );
      return { report, total, byCommand: new Map(requests) };
    }

    it('DynamoDB requests follow the stuck payments, not the table size (1,000 vs 10,000 healthy)', async () => {
      const { table, store, setup } = await freshTable({ withoutStream: true });
      const measurements: { healthy: number; total: number }[] = [];
      let healthy = 0;
      for (const target of [1_000, 10_000]) {
        const startedAt = Date.now();
        await writeHealthy(table, healthy, target - healthy);
        healthy = target;
        const orders = await writeStuck(setup);
        console.log(`setup to ${target} healthy payments took ${Date.now() - startedAt} ms`);

        const { report, total, byCommand } = await measuredRun(store, healthy);

        expect(report).toMatchObject({
          examined: STUCK,
          outcomes: { approved: STUCK, failed: 0, exhausted: 0, rescheduled: 0, skipped: 0 },
        });
        expect(byCommand.has('ScanCommand')).toBe(false);
        // One index query per shard; per stuck payment a claim, one commit and the read that ends the
        // look (did a webhook hint at a change meanwhile?); a little slack.
        expect(byCommand.get('QueryCommand') ?? 0).toBeLessThanOrEqual(INDEX_SHARDS + 1);
        expect(total).toBeLessThanOrEqual(INDEX_SHARDS + STUCK * 3 + 2);
        measurements.push({ healthy, total });
        const truth = await sim.truth(orders[0] ?? '');
        expect(truth.confirmCalls).toBe(1);
      }
      expect(measurements[1]?.total).toBe(measurements[0]?.total);
    }, 80_000);
  });
});
