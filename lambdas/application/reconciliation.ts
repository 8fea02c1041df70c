import { daysSinceLastCompleted, previousSeoulDay, seoulDaysEndingAt } from '../domain/business-day';
import {
  addSettlement,
  checkLedgerAgainstWallets,
  foldSettlement,
  type PspDay,
} from '../domain/reconciliation';
import type { LedgerStore } from '../ports/ledger-store';
import {
  type Deadline,
  MAX_SETTLEMENT_PAGE_SIZE,
  type PspSettlement,
  type SettlementGateway,
} from '../ports/psp';
import type { ReconciliationStore, ReconciliationSummary, WalletTotals } from '../ports/reconciliation-store';
import type { ReportSink } from '../ports/report-sink';
import { forEachConcurrently } from './concurrency';
import { decidedOutright, type OrderDeps, type OrderEvidence, reconcileOrder } from './reconcile-order';
import { ReconciliationReport } from './reconciliation-report';

export interface ReconciliationSettings {
  /**
   * The day is merged in this many passes, each keeping the orders with `hash % passes === pass`:
   * peak memory is about the day's orders / passes. A divisor or a multiple of the index's shards,
   * so every pass reads whole shards of the day index.
   */
  readonly passes: number;
  /** Settlement rows per PSP page. */
  readonly pageSize: number;
  /** Orders looked up at the PSP or corrected at once. */
  readonly concurrency: number;
}

export const DEFAULT_RECONCILIATION_SETTINGS: ReconciliationSettings = {
  passes: 8,
  pageSize: MAX_SETTLEMENT_PAGE_SIZE,
  concurrency: 8,
};

export interface ReconciliationProgress {
  /** 1-based. */
  readonly pass: number;
  readonly passes: number;
  /** Settlement rows read so far, over all passes. */
  readonly rowsRead: number;
  /** Rows all passes will read, known once the first pass has counted the day. */
  readonly rowsTotal?: number;
}

export interface ReconciliationDeps extends OrderDeps {
  readonly settlements: SettlementGateway;
  readonly store: ReconciliationStore;
  readonly reports: ReportSink;
  readonly ledger: Pick<LedgerStore, 'accounts'>;
  readonly wallets: WalletTotals;
  readonly settings: ReconciliationSettings;
  readonly onProgress?: (progress: ReconciliationProgress) => void;
}

export interface ReconciliationResult {
  readonly summary: ReconciliationSummary;
  /** Where the JSON report and the CSV of discrepancies went. */
  readonly reports: readonly string[];
}

/**
 * Reconciles one Seoul day against the PSP's settlement data. Bounded memory: the day is merged in
 * partitions of orderId (the approval-day index shard, optionally split further by a second hash);
 * each pass pages through all settlement rows but keeps only its partition's orders, folded to one
 * compact record per order, and reads only its shard of the day index. Peak memory is thus about
 * one partition's orders plus one page of rows, at the price of re-reading the PSP once per pass.
 */
export function reconciliationUseCase(deps: ReconciliationDeps) {
  const { store, settings } = deps;
  const passes = settings.passes;
  if (!(passes >= 1 && (store.dayShards % passes === 0 || passes % store.dayShards === 0))) {
    throw new Error(`reconciliation passes (${passes}) must divide or be a multiple of ${store.dayShards}`);
  }

  return async (date: string, deadline: Deadline): Promise<ReconciliationResult> => {
    const report = new ReconciliationReport(date);
    let rowsRead = 0;
    let rowsPerPass: number | undefined;
    for (let pass = 0; pass < passes; pass++) {
      const inPartition = (orderId: string) => store.partitionHash(orderId) % passes === pass;
      const rowsTotal = rowsPerPass === undefined ? undefined : rowsPerPass * passes;

      // One hash per row, and one record per order folded in place: no allocation per row.
      const psp = new Map<string, PspDay>();
      for await (const rows of settlementPages(deps.settlements, date, settings.pageSize, deadline)) {
        for (const row of rows) {
          if (!inPartition(row.orderId)) continue;
          const day = psp.get(row.orderId);
          if (day) addSettlement(day, row);
          else psp.set(row.orderId, foldSettlement(undefined, row));
        }
        rowsRead += rows.length;
        deps.onProgress?.({ pass: pass + 1, passes, rowsRead, rowsTotal });
      }
      rowsPerPass ??= rowsRead;

      // Our side streams past the PSP's map page by page; only the PSP's side is held.
      const shards = shardsOfPass(pass, passes, store.dayShards);
      for await (const orders of internalPartition(store, date, shards, inPartition, psp)) {
        await forEachConcurrently(undecided(orders, report), settings.concurrency, async (order) =>
          report.add(await reconcileOrder(deps, order, deadline)),
        );
      }
    }

    const ledger = checkLedgerAgainstWallets(await deps.ledger.accounts(), await deps.wallets.totalBalance());
    const summary = report.summary({
      generatedAt: deps.clock().toISOString(),
      settlementRows: rowsPerPass ?? 0,
      ledger,
    });
    const locations = await report.write(deps.reports, summary);
    // Last: a summary item means the run completed and its reports exist.
    await store.saveSummary(summary);
    return { summary, reports: locations };
  };
}

/** The day-index shards whose orders fall in `pass` (shard = hash % dayShards). */
function shardsOfPass(pass: number, passes: number, dayShards: number): number[] {
  if (passes >= dayShards) return [pass % dayShards];
  return Array.from({ length: dayShards / passes }, (_, k) => pass + k * passes);
}

/** How far back a scheduled run looks for the last completed day. */
export const CATCH_UP_DAYS = 31;

/** A scheduled run needs this much time left to start one more day; the next run picks up the rest. */
const DAY_START_MARGIN_MS = 120_000;

/**
 * The scheduled run: the day before the event's scheduled time (not the clock at run time, so a late
 * or retried run reconciles the day it was meant for), plus every day after the last completed one
 * that a failed or missed run left open, oldest first.
 */
export function scheduledReconciliationUseCase(deps: ReconciliationDeps) {
  const reconcile = reconciliationUseCase(deps);
  return async (scheduledAt: Date, deadline: Deadline): Promise<ReconciliationResult[]> => {
    const window = seoulDaysEndingAt(previousSeoulDay(scheduledAt), CATCH_UP_DAYS);
    const days = daysSinceLastCompleted(window, await deps.store.completedDays(window));
    const results: ReconciliationResult[] = [];
    for (const day of days) {
      if (results.length > 0 && deadline.remainingMs() < DAY_START_MARGIN_MS) break;
      results.push(await reconcile(day, deadline));
    }
    return results;
  };
}

/** Every page of the day's settlement rows; a shorter page is the last. */
async function* settlementPages(
  gateway: SettlementGateway,
  date: string,
  size: number,
  deadline: Deadline,
): AsyncGenerator<readonly PspSettlement[]> {
  for (let page = 1; ; page++) {
    const result = await gateway.settlements({ startDate: date, endDate: date, page, size }, deadline);
    if (result.kind !== 'page') {
      throw new Error(
        `PSP settlements of ${date}, page ${page}: ${result.kind} ${result.code} ${result.message}`,
      );
    }
    yield result.rows;
    if (result.rows.length < size) return;
  }
}

/**
 * The partition's evidence in pages: each payment of the day index with the PSP's rows for it (taken
 * out of `psp`), then what the PSP settled that the index lacks, with our payment if it exists.
 */
async function* internalPartition(
  store: ReconciliationStore,
  date: string,
  shards: readonly number[],
  inPartition: (orderId: string) => boolean,
  psp: Map<string, PspDay>,
): AsyncGenerator<OrderEvidence[]> {
  for (const shard of shards) {
    for await (const page of store.approvedOn(date, shard)) {
      const orders: OrderEvidence[] = [];
      for (const internal of page) {
        if (!inPartition(internal.orderId)) continue;
        orders.push({ orderId: internal.orderId, psp: psp.get(internal.orderId), internal });
        psp.delete(internal.orderId);
      }
      yield orders;
    }
  }
  // Not in the day's index: never approved here (EXECUTING, UNKNOWN...), or approved another day.
  const found = new Map((await store.findPayments([...psp.keys()])).map((p) => [p.orderId, p]));
  yield [...psp].map(([orderId, day]) => ({ orderId, psp: day, internal: found.get(orderId) }));
  psp.clear();
}

/** Reports the orders the evidence alone settles (most of a day) at once; yields the rest. */
function* undecided(
  orders: readonly OrderEvidence[],
  report: ReconciliationReport,
): Generator<OrderEvidence> {
  for (const order of orders) {
    const outcome = decidedOutright(order);
    if (outcome) report.add(outcome);
    else yield order;
  }
}
