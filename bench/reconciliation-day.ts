/**
 * Runs in a child process (forked by bench/reconciliation.ts with --expose-gc), so its heap holds
 * only this: one Seoul day of synthetic settlement rows through the reconciliation use case, with a
 * PSP and a payments table that generate their pages on the fly (no HTTP, nothing held), as
 * test/integration/reconciliation-memory.test.ts does. Sends its figures to the parent and exits.
 */
import { INDEX_SHARDS, shardOf } from '../lambdas/adapters/dynamodb/keys';
import {
  DEFAULT_RECONCILIATION_SETTINGS,
  reconciliationUseCase,
} from '../lambdas/application/reconciliation';
import { createPayment, markUnknown, type Payment, startExecution } from '../lambdas/domain/payment';
import type { InternalPayment } from '../lambdas/domain/reconciliation';
import type { PspLookup, PspSettlement, PspSettlementPage, SettlementQuery } from '../lambdas/ports/psp';
import type { ReconciliationStore, ReconciliationSummary } from '../lambdas/ports/reconciliation-store';

/** What the parent passes (JSON, argv[2]). */
export interface ReconciliationDayInput {
  /** Settlement rows: approvals plus one cancel row for every CANCEL_EVERY-th approval. */
  readonly approvals: number;
  /** Payments of each internal day-index page. */
  readonly internalPageRows: number;
}

/** What the child sends back. */
export interface ReconciliationDayResult {
  readonly rows: number;
  readonly orders: number;
  readonly passes: number;
  readonly settlementPageSize: number;
  readonly elapsedMs: number;
  readonly heapUsedBeforeBytes: number;
  readonly rssBeforeBytes: number;
  readonly peakHeapUsedBytes: number;
  readonly peakRssBytes: number;
  readonly samples: number;
  readonly summary: Pick<ReconciliationSummary, 'settlementRows' | 'orders' | 'counts' | 'corrections'>;
}

const DATE = '2024-03-01';
const APPROVED_AT = '2024-03-01T12:00:00+09:00';
const CANCEL_EVERY = 19;
const CANCEL_AMOUNT = 100;
/** Approved here that day but never settled by the PSP. */
const OURS_ONLY = 100;

const orderId = (i: number) => `ord-${String(i).padStart(7, '0')}`;
const indexOf = (id: string) => Number(id.slice(4));
const amountOf = (i: number) => 1_000 + (i % 97) * 10;

function syntheticDay(input: ReconciliationDayInput) {
  const { approvals } = input;
  const rows = approvals + Math.ceil(approvals / CANCEL_EVERY);
  const isCanceled = (i: number) => i < approvals && i % CANCEL_EVERY === 0;
  const isUnknownHere = (i: number) => i < approvals && i % 10_000 === 7;
  const isMissingHere = (i: number) => i < approvals && i % 40_000 === 3;
  const hasOtherAmountHere = (i: number) => i % 50_000 === 11;

  const internal = (i: number): InternalPayment => {
    const amount = amountOf(i) + (hasOtherAmountHere(i) ? 1 : 0);
    const canceled = isCanceled(i) ? CANCEL_AMOUNT : 0;
    return {
      orderId: orderId(i),
      status: canceled ? 'PARTIAL_CANCELED' : 'SUCCESS',
      amount,
      balanceAmount: amount - canceled,
      paymentKey: `pk-${i}`,
    };
  };

  const settlementRow = (row: number): PspSettlement => {
    const approval = row < approvals;
    const i = approval ? row : (row - approvals) * CANCEL_EVERY;
    return {
      orderId: orderId(i),
      paymentKey: `pk-${i}`,
      transactionKey: `tx-${row}`,
      amount: approval ? amountOf(i) : -CANCEL_AMOUNT,
      approvedAt: APPROVED_AT,
    };
  };

  const psp = {
    async settlements({ page, size }: SettlementQuery): Promise<PspSettlementPage> {
      const first = (page - 1) * size;
      const count = Math.max(0, Math.min(size, rows - first));
      return { kind: 'page', rows: Array.from({ length: count }, (_, k) => settlementRow(first + k)) };
    },
    async findByOrderId(id: string): Promise<PspLookup> {
      const i = indexOf(id);
      return {
        kind: 'found',
        payment: {
          orderId: id,
          paymentKey: `pk-${i}`,
          status: 'PARTIAL_CANCELED',
          totalAmount: amountOf(i),
          balanceAmount: amountOf(i) - (isCanceled(i) ? CANCEL_AMOUNT : 0),
          approvedAt: APPROVED_AT,
          cancels: [],
        },
      };
    },
  };

  /** Payments we hold as UNKNOWN, built through the real transitions; corrections replace them. */
  const corrected = new Map<string, Payment>();
  const unknownPayment = (id: string): Payment => {
    const i = indexOf(id);
    const created = createPayment({
      orderId: id,
      buyerId: 'b',
      orderName: 'o',
      currency: 'KRW',
      items: [{ sellerId: 'seller', productId: 'p', amount: amountOf(i) }],
      createdAt: APPROVED_AT,
    });
    if (!created.ok) throw new Error(created.reason);
    const begun = startExecution(created.payment, {
      paymentKey: `pk-${i}`,
      amount: amountOf(i),
      at: APPROVED_AT,
    });
    if (!begun.ok) throw new Error(begun.reason);
    const unknown = markUnknown(begun.payment, { at: APPROVED_AT });
    if (!unknown.ok) throw new Error(unknown.reason);
    return unknown.payment;
  };
  const payments = {
    get: async (id: string) => corrected.get(id) ?? unknownPayment(id),
    save: async (_previous: Payment, next: Payment) => {
      corrected.set(next.orderId, next);
      return true;
    },
  };

  const table = (atMergePoint: () => void): ReconciliationStore => ({
    dayShards: INDEX_SHARDS,
    shardOf,
    async *approvedOn(_date, shard) {
      let page: InternalPayment[] = [];
      for (let i = 0; i < approvals + OURS_ONLY; i++) {
        if (isUnknownHere(i) || isMissingHere(i) || shardOf(orderId(i)) !== shard) continue;
        page.push(internal(i));
        if (page.length === input.internalPageRows) {
          yield page;
          page = [];
        }
      }
      yield page;
    },
    async findPayments(ids) {
      atMergePoint();
      return ids
        .filter((id) => isUnknownHere(indexOf(id)))
        .map((id) => corrected.get(id) ?? unknownPayment(id));
    },
    async saveSummary() {},
  });

  return { rows, psp, payments, table };
}

async function measure(input: ReconciliationDayInput): Promise<ReconciliationDayResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const day = syntheticDay(input);
  const peak = { heap: 0, rss: 0, samples: 0 };
  // heapUsed (garbage included) and RSS, at every settlement page, every merge point and every 10 ms
  // the event loop allows: the fakes answer at once, so most samples come from the first two.
  const sample = () => {
    const { heapUsed, rss } = process.memoryUsage();
    peak.heap = Math.max(peak.heap, heapUsed);
    peak.rss = Math.max(peak.rss, rss);
    peak.samples++;
  };
  const reconcile = reconciliationUseCase({
    psp: day.psp,
    settlements: day.psp,
    store: day.table(sample),
    payments: day.payments,
    reports: { put: async (key) => key },
    ledger: { accounts: async () => [] },
    wallets: { totalBalance: async () => 0 },
    clock: () => new Date(),
    settings: DEFAULT_RECONCILIATION_SETTINGS,
    onProgress: sample,
  });

  gc();
  const before = process.memoryUsage();
  const sampler = setInterval(sample, 10);
  const start = process.hrtime.bigint();
  const { summary } = await reconcile(DATE, { remainingMs: () => 900_000 });
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  sample();
  return {
    rows: day.rows,
    orders: summary.orders,
    passes: INDEX_SHARDS * DEFAULT_RECONCILIATION_SETTINGS.partitionsPerShard,
    settlementPageSize: DEFAULT_RECONCILIATION_SETTINGS.pageSize,
    elapsedMs,
    heapUsedBeforeBytes: before.heapUsed,
    rssBeforeBytes: before.rss,
    peakHeapUsedBytes: peak.heap,
    peakRssBytes: peak.rss,
    samples: peak.samples,
    summary: {
      settlementRows: summary.settlementRows,
      orders: summary.orders,
      counts: summary.counts,
      corrections: summary.corrections,
    },
  };
}

if (require.main === module) {
  const send = process.send?.bind(process);
  if (!send) throw new Error('bench/reconciliation-day.ts runs as a child of the bench (IPC)');
  measure(JSON.parse(process.argv[2] ?? '{}') as ReconciliationDayInput).then(
    (result) => send({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      send(
        { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
        () => process.exit(1),
      ),
  );
}
