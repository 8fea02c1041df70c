import { daysSinceLastCompleted, previousSeoulDay, seoulDaysEndingAt } from '../domain/business-day';
import {
  checkLedgerAgainstWallets,
  foldSettlement,
  type InternalPayment,
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
import { type OrderDeps, type OrderEvidence, reconcileOrder } from './reconcile-order';
import { ReconciliationReport } from './reconciliation-report';

export interface ReconciliationSettings {
  /** Sub-partitions per approval-day shard: the day is merged in `dayShards × this` passes. */
  readonly partitionsPerShard: number;
  /** Settlement rows per PSP page. */
  readonly pageSize: number;
  /** Orders looked up at the PSP or corrected at once. */
  readonly concurrency: number;
}

export const DEFAULT_RECONCILIATION_SETTINGS: ReconciliationSettings = {
  partitionsPerShard: 1,
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
  const passes = store.dayShards * settings.partitionsPerShard;

  return async (date: string, deadline: Deadline): Promise<ReconciliationResult> => {
    const report = new ReconciliationReport(date);
    let rowsRead = 0;
    let rowsPerPass: number | undefined;
    for (let pass = 0; pass < passes; pass++) {
      const shard = pass % store.dayShards;
      const sub = Math.floor(pass / store.dayShards);
      const inPartition = (orderId: string) =>
        store.shardOf(orderId) === shard && subPartition(orderId, settings.partitionsPerShard) === sub;
      const rowsTotal = rowsPerPass === undefined ? undefined : rowsPerPass * passes;

      const psp = new Map<string, PspDay>();
      for await (const rows of settlementPages(deps.settlements, date, settings.pageSize, deadline)) {
        for (const row of rows) {
          if (inPartition(row.orderId)) psp.set(row.orderId, foldSettlement(psp.get(row.orderId), row));
        }
        rowsRead += rows.length;
        deps.onProgress?.({ pass: pass + 1, passes, rowsRead, rowsTotal });
      }
      rowsPerPass ??= rowsRead;

      const internal = await internalPartition(store, date, shard, inPartition, psp);
      await forEachConcurrently(evidence(psp, internal), settings.concurrency, async (order) =>
        report.add(await reconcileOrder(deps, order, deadline)),
      );
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

/** The partition's payments from the day index, plus those the PSP settled that the index lacks. */
async function internalPartition(
  store: ReconciliationStore,
  date: string,
  shard: number,
  inPartition: (orderId: string) => boolean,
  psp: ReadonlyMap<string, PspDay>,
): Promise<Map<string, InternalPayment>> {
  const internal = new Map<string, InternalPayment>();
  for await (const page of store.approvedOn(date, shard)) {
    for (const payment of page) if (inPartition(payment.orderId)) internal.set(payment.orderId, payment);
  }
  // Not in the day's index: never approved here (EXECUTING, UNKNOWN...), or approved another day.
  const unindexed = [...psp.keys()].filter((orderId) => !internal.has(orderId));
  for (const payment of await store.findPayments(unindexed)) internal.set(payment.orderId, payment);
  return internal;
}

function* evidence(
  psp: ReadonlyMap<string, PspDay>,
  internal: ReadonlyMap<string, InternalPayment>,
): Generator<OrderEvidence> {
  for (const [orderId, day] of psp) yield { orderId, psp: day, internal: internal.get(orderId) };
  for (const [orderId, payment] of internal) if (!psp.has(orderId)) yield { orderId, internal: payment };
}

/** FNV-1a: cheap, and independent of the shard hash, so sub-partitions split each shard evenly. */
function subPartition(orderId: string, partitions: number): number {
  if (partitions === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % partitions;
}
