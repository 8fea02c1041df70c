import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecoveryRunReport } from '../lambdas/application/recovery';
import type { PaymentStore } from '../lambdas/ports/payment-store';
import type { PaymentGateway, PspLookup, PspResult } from '../lambdas/ports/psp';
import { topology } from '../lib/topology';
import { ensureTable } from '../local/runtime/provision';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import { localDynamoClient, meteredDynamoClient, type RequestCost } from './dynamodb-meter';
import { configureHandlerEnv } from './handler-env';
import { mapConcurrently } from './pool';
import { msSince, round } from './stats';

export interface RecoveryCostOptions {
  /** Healthy payments in the table at each measured run, ascending. */
  readonly tableSizes: readonly number[];
  /** Payments due for recovery at each run. */
  readonly stuck: number;
  /** BatchWriteItem requests (25 items each) in flight while seeding. */
  readonly seedConcurrency: number;
}

export interface RecoveryCostPoint {
  readonly healthyPayments: number;
  readonly stuckPayments: number;
  /** Bringing the table to this size and adding the stuck payments (uncounted). */
  readonly seedMs: number;
  readonly runMs: number;
  readonly outcome: RecoveryRunReport;
  readonly perRun: RequestCost;
  readonly perStuckPayment: RequestCost;
}

export interface RecoveryCostSection {
  readonly method: string;
  readonly points: readonly RecoveryCostPoint[];
  /** The same requests, command by command, at every table size. */
  readonly requestsIndependentOfTableSize: boolean;
}

const AMOUNT = 10_000;
/** A day ago: healthy payments were approved long before the run. */
const LONG_AGO = () => new Date(Date.now() - 86_400_000).toISOString();

const paymentKeyOf = (orderId: string) => `bench_pk_${orderId}`;
/** Payments written straight to the table belong to this principal (no caller reads them). */
const BENCH_OWNER = 'arn:aws:iam::000000000000:user/bench-shop';

/** The PSP approved every order it is asked about (DONE, full amount): each stuck payment settles. */
class ApprovingPsp implements PaymentGateway {
  lookups = 0;

  async findByOrderId(orderId: string): Promise<PspLookup> {
    this.lookups++;
    return {
      kind: 'found',
      payment: {
        orderId,
        paymentKey: paymentKeyOf(orderId),
        status: 'DONE',
        totalAmount: AMOUNT,
        balanceAmount: AMOUNT,
        approvedAt: new Date(Date.now() - 120_000).toISOString(),
        cancels: [],
      },
    };
  }

  async confirm(): Promise<PspResult> {
    throw new Error('recovery must not re-confirm a payment the PSP reports DONE');
  }

  async cancel(): Promise<PspResult> {
    throw new Error('recovery never cancels');
  }
}

/** SUCCESS payment items as the payment store leaves them: never in the (sparse) recovery index. */
function healthyItem(index: number, at: string): Record<string, unknown> {
  const orderId = `bench-healthy-${String(index).padStart(6, '0')}`;
  return {
    pk: `PAYMENT#${orderId}`,
    sk: '#PAYMENT',
    orderId,
    buyerId: 'bench-buyer',
    orderName: 'Bench order',
    currency: 'KRW',
    amount: AMOUNT,
    balanceAmount: AMOUNT,
    items: [
      { sellerId: 'seller-a', productId: 'book-1', amount: 7_000, balanceAmount: 7_000 },
      { sellerId: 'seller-b', productId: 'book-2', amount: 3_000, balanceAmount: 3_000 },
    ],
    status: 'SUCCESS',
    paymentKey: paymentKeyOf(orderId),
    approvedAt: at,
    version: 3,
    eventSeq: 1,
    createdAt: at,
    updatedAt: at,
    fingerprint: 'bench',
  };
}

async function writeHealthy(
  documents: DynamoDBDocumentClient,
  table: string,
  from: number,
  to: number,
  concurrency: number,
): Promise<void> {
  const at = LONG_AGO();
  const chunks: Record<string, unknown>[][] = [];
  for (let start = from; start < to; start += 25) {
    chunks.push(Array.from({ length: Math.min(25, to - start) }, (_, k) => healthyItem(start + k, at)));
  }
  await mapConcurrently(chunks, concurrency, async (chunk) => {
    let pending: Record<string, unknown>[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (pending?.length) {
      const answer = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending as never } }),
      );
      pending = answer.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  });
}

/**
 * In-process against the stack's DynamoDB Local: a fresh table with the payments table's keys and
 * indexes (no stream: recovery never reads it, and DynamoDB Local loads much faster without one),
 * grown to each size in turn; at each size `stuck` fresh payments left EXECUTING and due, then one
 * recovery run on a counting client.
 */
export async function measureRecoveryCost(
  stack: LocalStackEndpoints,
  options: RecoveryCostOptions,
): Promise<RecoveryCostSection> {
  configureHandlerEnv(stack);
  const { documentClient } = await import('../lambdas/shared/composition.js');
  const { DynamoDbPaymentStore } = await import('../lambdas/adapters/dynamodb/payment-store.js');
  const { recoveryRunUseCase } = await import('../lambdas/application/recovery.js');
  const { createPayment } = await import('../lambdas/domain/payment.js');
  const { DEFAULT_RECOVERY_POLICY } = await import('../lambdas/domain/recovery.js');

  const plain = localDynamoClient(stack.dynamoEndpoint);
  const { client: counted, meter } = meteredDynamoClient(stack.dynamoEndpoint);
  const documents = documentClient(plain);
  const table = `bench-recovery-${randomUUID().slice(0, 8)}`;
  await ensureTable(plain, table, { ...topology.tables.payments, stream: undefined });
  const setup: PaymentStore = new DynamoDbPaymentStore(documents, table);
  const store: PaymentStore = new DynamoDbPaymentStore(documentClient(counted), table);

  /** Created, execution begun, never answered: EXECUTING and due a minute ago. */
  const writeStuck = async (): Promise<void> => {
    const createdAt = new Date(Date.now() - 300_000).toISOString();
    await mapConcurrently(Array.from({ length: options.stuck }), 8, async () => {
      const orderId = `bench-stuck-${randomUUID()}`;
      const created = createPayment({
        orderId,
        owner: BENCH_OWNER,
        buyerId: 'bench-buyer',
        orderName: 'Bench order',
        currency: 'KRW',
        items: [
          { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 },
          { sellerId: 'seller-b', productId: 'book-2', amount: 3_000 },
        ],
        createdAt,
      });
      if (!created.ok) throw new Error(`checkout refused: ${created.reason}`);
      if (!(await setup.create(created.payment, 'bench')).created) throw new Error(`${orderId} exists`);
      const begun = await setup.beginExecution({
        orderId,
        owner: BENCH_OWNER,
        paymentKey: paymentKeyOf(orderId),
        amount: created.payment.amount,
        at: new Date(Date.now() - 120_000).toISOString(),
        recoveryDueAt: new Date(Date.now() - 60_000).toISOString(),
      });
      if (!begun.ok) throw new Error(`beginExecution refused for ${orderId}`);
    });
  };

  try {
    const points: RecoveryCostPoint[] = [];
    let healthy = 0;
    for (const size of options.tableSizes) {
      const seedStart = process.hrtime.bigint();
      await writeHealthy(documents, table, healthy, size, options.seedConcurrency);
      healthy = size;
      await writeStuck();
      const seedMs = msSince(seedStart);

      const psp = new ApprovingPsp();
      // As lambdas/handlers/recovery.ts composes it, with the PSP faked.
      const run = recoveryRunUseCase({
        store,
        psp,
        clock: () => new Date(),
        random: Math.random,
        policy: DEFAULT_RECOVERY_POLICY,
        leaseMs: 30_000,
        owner: `bench-${size}`,
      });
      const runStart = process.hrtime.bigint();
      const outcome = await meter.count(() => run({ remainingMs: () => 60_000 }, 200));
      const runMs = msSince(runStart);
      if (outcome.examined !== options.stuck || outcome.outcomes.approved !== options.stuck) {
        throw new Error(
          `recovery over ${size} healthy + ${options.stuck} stuck payments: ${JSON.stringify(outcome)}`,
        );
      }
      points.push({
        healthyPayments: size,
        stuckPayments: options.stuck,
        seedMs: round(seedMs, 0),
        runMs: round(runMs, 0),
        outcome,
        perRun: meter.per(1, 'run'),
        perStuckPayment: meter.per(options.stuck, 'stuck payment'),
      });
    }
    const shapes = new Set(points.map((p) => JSON.stringify(p.perRun.requests)));
    return {
      method: `recoveryRunUseCase composed in-process as lambdas/handlers/recovery.ts does (DynamoDbPaymentStore, default policy, 30 s lease, limit 200) on a DynamoDBClient with the counting initialize-step middleware of the confirm cost (one count per send; ReturnConsumedCapacity=TOTAL added), against a fresh table with the payments table's keys and indexes but no stream in the stack's DynamoDB Local; healthy SUCCESS #PAYMENT items bulk-loaded with BatchWriteItem (25 per request, ${options.seedConcurrency} in flight) and kept across sizes; at each size ${options.stuck} fresh payments created and begun through the store (EXECUTING, due a minute ago); a fake PSP answers every lookup DONE with the full amount, so every stuck payment settles to SUCCESS; Query RCU varies a little with how the stuck payments fall across the index shards (each query is rounded up to the next 4 KB read, 0.5 RCU eventually consistent)`,
      points,
      requestsIndependentOfTableSize: shapes.size === 1,
    };
  } finally {
    await plain.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    plain.destroy();
    counted.destroy();
  }
}
