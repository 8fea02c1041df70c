/**
 * Bounded memory (DESIGN §8): a day of 200,000 settlement rows through the reconciliation use case,
 * with a PSP and a payments table that generate their pages on the fly (no HTTP, nothing held), so
 * what the heap holds is the use case's own doing. Two figures: the sampled peak of heapUsed (garbage
 * included, so it depends on when V8 collects), and the live heap after a forced collection at each
 * partition's merge point, where the use case holds the most (both sides of one partition).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { INDEX_SHARDS, shardOf } from '../../lambdas/adapters/dynamodb/keys';
import {
  DEFAULT_RECONCILIATION_SETTINGS,
  reconciliationUseCase,
} from '../../lambdas/application/reconciliation';
import { createPayment, markUnknown, type Payment, startExecution } from '../../lambdas/domain/payment';
import type { InternalPayment } from '../../lambdas/domain/reconciliation';
import type { PspLookup, PspSettlement, PspSettlementPage, SettlementQuery } from '../../lambdas/ports/psp';
import type { ReconciliationStore, ReconciliationSummary } from '../../lambdas/ports/reconciliation-store';

const DATE = '2024-03-01';
const APPROVED_AT = '2024-03-01T12:00:00+09:00';
const APPROVALS = 190_000;
/** Orders 0, 19, 38, ... have a cancel row of 100 each: 10,000 rows, for 200,000 in all. */
const CANCEL_EVERY = 19;
const CANCEL_AMOUNT = 100;
const ROWS = APPROVALS + Math.ceil(APPROVALS / CANCEL_EVERY);
/** Approved here that day but never settled by the PSP. */
const OURS_ONLY = 100;
const PAGE_ROWS = 1_000;
const HEAP_BOUND_MB = 300;
/** One partition of ~47,500 orders, both sides, folded; the whole day at once would need ~4x. */
const LIVE_GROWTH_BOUND_MB = 64;

setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** The truth of order `i`, derived, never stored. */
const orderId = (i: number) => `ord-${String(i).padStart(7, '0')}`;
const indexOf = (id: string) => Number(id.slice(4));
const amountOf = (i: number) => 1_000 + (i % 97) * 10;
const isCanceled = (i: number) => i < APPROVALS && i % CANCEL_EVERY === 0;
const isUnknownHere = (i: number) => i < APPROVALS && i % 10_000 === 7;
const isMissingHere = (i: number) => i < APPROVALS && i % 40_000 === 3;
const hasOtherAmountHere = (i: number) => i % 50_000 === 11;

function internal(i: number): InternalPayment {
  const amount = amountOf(i) + (hasOtherAmountHere(i) ? 1 : 0);
  const canceled = isCanceled(i) ? CANCEL_AMOUNT : 0;
  return {
    orderId: orderId(i),
    status: canceled ? 'PARTIAL_CANCELED' : 'SUCCESS',
    amount,
    balanceAmount: amount - canceled,
    paymentKey: `pk-${i}`,
  };
}

function settlementRow(row: number): PspSettlement {
  const approval = row < APPROVALS;
  const i = approval ? row : (row - APPROVALS) * CANCEL_EVERY;
  return {
    orderId: orderId(i),
    paymentKey: `pk-${i}`,
    transactionKey: `tx-${row}`,
    amount: approval ? amountOf(i) : -CANCEL_AMOUNT,
    approvedAt: APPROVED_AT,
  };
}

const fakePsp = {
  async settlements({ page, size }: SettlementQuery): Promise<PspSettlementPage> {
    const first = (page - 1) * size;
    const count = Math.max(0, Math.min(size, ROWS - first));
    return { kind: 'page', rows: Array.from({ length: count }, (_, k) => settlementRow(first + k)) };
  },
  async findByOrderId(id: string): Promise<PspLookup> {
    const i = indexOf(id);
    const balanceAmount = amountOf(i) - (isCanceled(i) ? CANCEL_AMOUNT : 0);
    return {
      kind: 'found',
      payment: {
        orderId: id,
        paymentKey: `pk-${i}`,
        status: 'PARTIAL_CANCELED',
        totalAmount: amountOf(i),
        balanceAmount,
        approvedAt: APPROVED_AT,
        cancels: [],
      },
    };
  },
};

/** Unknown payments as stored, built through the real transitions; corrections replace them. */
const corrected = new Map<string, Payment>();
function unknownPayment(id: string): Payment {
  const i = indexOf(id);
  const items = [{ sellerId: 'seller', productId: 'p', amount: amountOf(i) }];
  const checkout = {
    orderId: id,
    buyerId: 'b',
    orderName: 'o',
    currency: 'KRW' as const,
    items,
    createdAt: APPROVED_AT,
  };
  const created = createPayment(checkout);
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
}

const summaries: ReconciliationSummary[] = [];
/** Called when a partition's settlements and day index are both in memory. */
let atMergePoint = () => {};
const fakeTable: ReconciliationStore = {
  dayShards: INDEX_SHARDS,
  shardOf,
  async *approvedOn(_date, shard) {
    let page: InternalPayment[] = [];
    for (let i = 0; i < APPROVALS + OURS_ONLY; i++) {
      if (isUnknownHere(i) || isMissingHere(i) || shardOf(orderId(i)) !== shard) continue;
      page.push(internal(i));
      if (page.length === PAGE_ROWS) {
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
  async saveSummary(summary) {
    summaries.push(summary);
  },
};

describe('reconciliation memory', () => {
  it(`merges ${ROWS.toLocaleString('en')} settlement rows within ${HEAP_BOUND_MB} MB of heap`, async () => {
    const peak = { heap: 0, rss: 0, live: 0 };
    const sample = () => {
      const { heapUsed, rss } = process.memoryUsage();
      peak.heap = Math.max(peak.heap, heapUsed);
      peak.rss = Math.max(peak.rss, rss);
    };
    atMergePoint = () => {
      sample();
      collectGarbage();
      peak.live = Math.max(peak.live, process.memoryUsage().heapUsed);
    };
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    const sampler = setInterval(sample, 10);
    const startedAt = performance.now();
    const reconcile = reconciliationUseCase({
      psp: fakePsp,
      settlements: fakePsp,
      store: fakeTable,
      payments: {
        get: async (id) => corrected.get(id) ?? unknownPayment(id),
        save: async (_previous, next) => {
          corrected.set(next.orderId, next);
          return true;
        },
      },
      reports: { put: async (key) => key },
      ledger: { accounts: async () => [] },
      wallets: { totalBalance: async () => 0 },
      clock: () => new Date(),
      settings: DEFAULT_RECONCILIATION_SETTINGS,
      onProgress: sample,
    });
    const { summary } = await reconcile(DATE, { remainingMs: () => 900_000 });
    // Includes the forced collections, four of them.
    const seconds = (performance.now() - startedAt) / 1000;
    clearInterval(sampler);
    sample();

    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(
      `reconciliation: ${ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(ROWS / seconds)} rows/s ` +
        `(${INDEX_SHARDS} passes); heap before ${mb(baseline)} MB, peak sampled ${mb(peak.heap)} MB, ` +
        `live at merge ${mb(peak.live)} MB; peak RSS ${mb(peak.rss)} MB`,
    );
    expect(summary).toMatchObject({
      settlementRows: ROWS,
      orders: APPROVALS + OURS_ONLY,
      counts: {
        // 3, 40003, ... 160003 | the ours-only tail | 11, 50011, 100011, 150011
        MISSING_INTERNAL: 5,
        MISSING_AT_PSP: OURS_ONLY,
        AMOUNT_MISMATCH: 4,
        STATUS_MISMATCH: 0,
        MATCHED: APPROVALS - 5 - 4,
      },
      // 7, 10007, ... 180007 approved; 20007 was also canceled at the PSP.
      corrections: { approved: 19, canceled: 1 },
      discrepancies: 5 + OURS_ONLY + 4,
    });
    expect(summaries).toHaveLength(1);
    expect(mb(peak.heap)).toBeLessThan(HEAP_BOUND_MB);
    expect(mb(peak.live - baseline)).toBeLessThan(LIVE_GROWTH_BOUND_MB);
  }, 300_000);
});
