/**
 * Bounded memory (DESIGN §8): a day of 200,000 settlement rows through the reconciliation use case,
 * with a PSP and a payments table that generate their pages on the fly (no HTTP, nothing held), so
 * what the heap holds is the use case's own doing. Two figures: the sampled peak of heapUsed (garbage
 * included, so it depends on when V8 collects), and the live heap after a forced collection at each
 * partition's merge point, where the use case holds the most (both sides of one partition).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_RECONCILIATION_SETTINGS } from '../../lambdas/application/reconciliation';
import type { ReconciliationSummary } from '../../lambdas/ports/reconciliation-store';
import { reconcileSyntheticDay, syntheticSettlementDay } from '../support/synthetic-settlement-day';

const APPROVALS = 190_000;
/** Orders 0, 19, 38, ... have a cancel row of 100 each: 10,000 rows, for 200,000 in all. */
const CANCEL_EVERY = 19;
const CANCEL_AMOUNT = 100;
/** Approved here that day but never settled by the PSP. */
const OURS_ONLY = 100;
const PAGE_ROWS = 1_000;
const HEAP_BOUND_MB = 300;
/** One pass holds ~24,000 orders of the PSP's side (8 passes); the whole day at once would need ~8x. */
const LIVE_GROWTH_BOUND_MB = 32;

setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * The day (test/support/synthetic-settlement-day.ts): 7, 10007, ... 180007 held UNKNOWN here;
 * 3, 40003, ... 160003 missing from the day index; 11, 50011, 100011, 150011 with another amount.
 */
const day = syntheticSettlementDay({
  approvals: APPROVALS,
  internalPageRows: PAGE_ROWS,
  cancelEvery: CANCEL_EVERY,
  cancelAmount: CANCEL_AMOUNT,
  oursOnly: OURS_ONLY,
});
const ROWS = day.rows;

const summaries: ReconciliationSummary[] = [];
/** Called when a pass holds its partition of the PSP's side, before looking up what the index lacks. */
let atMergePoint = () => {};
const fakeTable = day.store({
  atMergePoint: () => atMergePoint(),
  saveSummary: (summary) => {
    summaries.push(summary);
  },
});

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
    const reconcile = reconcileSyntheticDay(day, fakeTable, sample);
    const { summary } = await reconcile(day.date, { remainingMs: () => 900_000 });
    // Includes the forced collections, one per pass.
    const seconds = (performance.now() - startedAt) / 1000;
    clearInterval(sampler);
    sample();

    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(
      `reconciliation: ${ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(ROWS / seconds)} rows/s ` +
        `(${DEFAULT_RECONCILIATION_SETTINGS.passes} passes); heap before ${mb(baseline)} MB, peak sampled ${mb(peak.heap)} MB, ` +
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
      // Orders for a person, and every correction (19 approvals, 1 cancel): something upstream missed them.
      discrepancies: 5 + OURS_ONLY + 4 + 20,
    });
    expect(summaries).toHaveLength(1);
    expect(mb(peak.heap)).toBeLessThan(HEAP_BOUND_MB);
    expect(mb(peak.live - baseline)).toBeLessThan(LIVE_GROWTH_BOUND_MB);
  }, 300_000);
});
