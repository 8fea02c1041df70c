/**
 * Runs in a child process (forked by bench/reconciliation.ts with --expose-gc), so its heap holds
 * only this: one Seoul day of synthetic settlement rows through the reconciliation use case, with a
 * PSP and a payments table that generate their pages on the fly (no HTTP, nothing held), as
 * test/integration/reconciliation-memory.test.ts does (both from test/support/synthetic-settlement-day.ts).
 * Sends its figures to the parent and exits.
 */
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_RECONCILIATION_SETTINGS } from '../lambdas/application/reconciliation';
import type { ReconciliationSummary } from '../lambdas/ports/reconciliation-store';
import { reconcileSyntheticDay, syntheticSettlementDay } from '../test/support/synthetic-settlement-day';

/** What the parent passes (JSON, argv[2]). */
export interface ReconciliationDayInput {
  /** Settlement rows: approvals plus one cancel row for every 19th approval (0, 19, 38, ...). */
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

async function measure(input: ReconciliationDayInput): Promise<ReconciliationDayResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const day = syntheticSettlementDay(input);
  const peak = { heap: 0, rss: 0, samples: 0 };
  // Heap used (garbage included) at every settlement page, every merge point and every 10 ms the
  // event loop allows: the fakes answer at once, so most samples come from the first two. V8's
  // heap statistics are cheap; process.memoryUsage() reads the RSS from the OS at every call, which
  // took ~7% of the run in a profile. The peak RSS comes from the kernel at the end.
  const sample = () => {
    peak.heap = Math.max(peak.heap, getHeapStatistics().used_heap_size);
    peak.samples++;
  };
  const reconcile = reconcileSyntheticDay(day, day.store({ atMergePoint: sample }), sample);

  gc();
  const before = process.memoryUsage();
  const sampler = setInterval(sample, 10);
  const start = process.hrtime.bigint();
  const { summary } = await reconcile(day.date, { remainingMs: () => 900_000 });
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  sample();
  // The kernel's high-water mark of the child's resident set (KiB): no sample can miss the peak.
  peak.rss = process.resourceUsage().maxRSS * 1024;
  return {
    rows: day.rows,
    orders: summary.orders,
    passes: DEFAULT_RECONCILIATION_SETTINGS.passes,
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
