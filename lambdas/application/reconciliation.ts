import {
  daysToReconcile,
  isDayClosed,
  newestClosedDay,
  periodDays,
  type SettlementCycle,
  seoulDay,
  settlementDateOf,
  settlementDatesEndingAt,
} from '../domain/business-day';
import {
  addSettlement,
  addToTotals,
  checkLedgerAgainstWallets,
  emptySettlementTotals,
  foldSettlement,
  type PspDay,
  type SettlementMovement,
  type SettlementTotals,
} from '../domain/reconciliation';
import type { LedgerStore } from '../ports/ledger-store';
import {
  type Deadline,
  MAX_SETTLEMENT_PAGE_SIZE,
  type PspSettlement,
  type SettlementDateType,
  type SettlementGateway,
} from '../ports/psp';
import type { ReconciliationStore, ReconciliationSummary, WalletTotals } from '../ports/reconciliation-store';
import type { ReportSink } from '../ports/report-sink';
import type { SettlementSpill, SettlementSpills } from '../ports/settlement-spill';
import { forEachConcurrently } from './concurrency';
import { recordDayFees } from './reconcile-fees';
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
  /**
   * How long after a Seoul day ends its settlement rows are complete: the day closes then, and
   * not before. Rows appear from the next day.
   */
  readonly settlementLagHours: number;
  /** A scheduled run reconciles the newest this many closed days again: the PSP's rows can still change. */
  readonly recheckDays: number;
  /** Which date of the rows a day is: Toss's default `soldDate` (the merchant's settlement cycle), or `paidOutDate`. */
  readonly dateType: SettlementDateType;
  /**
   * The merchant's settlement cycle: with `soldDate`, a run reconciles one period, named by its
   * settlement date (the day; the week's Sunday; the month's last day), against every day's approvals in it.
   */
  readonly cycle: SettlementCycle;
}

export const DEFAULT_RECONCILIATION_SETTINGS: ReconciliationSettings = {
  passes: 8,
  pageSize: MAX_SETTLEMENT_PAGE_SIZE,
  concurrency: 8,
  settlementLagHours: 3,
  recheckDays: 3,
  dateType: 'soldDate',
  cycle: 'DAILY',
};

export interface ReconciliationProgress {
  /** 0 while the PSP's pages are read (once), then 1-based while the passes merge them. */
  readonly pass: number;
  readonly passes: number;
  /** Settlement rows read from the PSP, then merged by the passes so far. */
  readonly rowsRead: number;
  /** The day's rows, known once the PSP's pages are read. */
  readonly rowsTotal?: number;
}

export interface ReconciliationDeps extends OrderDeps {
  readonly settlements: SettlementGateway;
  readonly store: ReconciliationStore;
  readonly reports: ReportSink;
  readonly spills: SettlementSpills;
  readonly ledger: Pick<LedgerStore, 'accounts' | 'feesRecorded' | 'recordFees'>;
  readonly wallets: WalletTotals;
  readonly settings: ReconciliationSettings;
  readonly onProgress?: (progress: ReconciliationProgress) => void;
}

export interface ReconciliationResult {
  readonly summary: ReconciliationSummary;
  /** Where the JSON report and the CSV of discrepancies went (none for a dry run). */
  readonly reports: readonly string[];
}

/** With a weekly or monthly cycle, the PSP's rows carry only the period's last day as their soldDate. */
export class NotASettlementDateError extends Error {
  constructor(date: string, cycle: SettlementCycle) {
    super(
      `${date} is not a settlement date of the ${cycle} cycle: its sales settle on ${settlementDateOf(date, cycle)}`,
    );
    this.name = 'NotASettlementDateError';
  }
}

/** A day not yet begun in Seoul: there is nothing to reconcile, even as a dry run. */
export class FutureDayError extends Error {
  constructor(date: string, today: string) {
    super(`${date} is in the future: today is ${today} in Seoul`);
    this.name = 'FutureDayError';
  }
}

/**
 * Reconciles one Seoul day against the PSP's settlement data. Only a closed day (over, plus the
 * settlement lag, at `asOf`) is closed by a run: corrections, fees, reports and the summary item. A
 * day still open is a dry run that classifies and stores nothing; a future day is refused.
 *
 * Bounded memory: the PSP's rows are read once, page by page, and spilled by partition of orderId
 * (the approval-day index shard, optionally split further by a second hash); each pass then folds
 * its partition's rows to one compact record per order and streams its shards of the day index past
 * them. Peak memory is about one partition's orders plus one page of rows.
 */
export function reconciliationUseCase(deps: ReconciliationDeps) {
  const { store, settings } = deps;
  const passes = settings.passes;
  if (!(passes >= 1 && (store.dayShards % passes === 0 || passes % store.dayShards === 0))) {
    throw new Error(`reconciliation passes (${passes}) must divide or be a multiple of ${store.dayShards}`);
  }
  const lagMs = settings.settlementLagHours * 3_600_000;

  return async (date: string, deadline: Deadline, asOf?: Date): Promise<ReconciliationResult> => {
    // A scheduled time may be earlier than the clock, never later: nobody closes a day early.
    const now = new Date(Math.min(deps.clock().getTime(), asOf?.getTime() ?? Number.POSITIVE_INFINITY));
    if (date > seoulDay(now)) throw new FutureDayError(date, seoulDay(now));
    const soldDates = settings.dateType === 'soldDate';
    if (soldDates && settlementDateOf(date, settings.cycle) !== date) {
      throw new NotASettlementDateError(date, settings.cycle);
    }
    const dryRun = !isDayClosed(date, now, lagMs);
    const report = new ReconciliationReport(date);
    const spill = await deps.spills.open();
    try {
      const totals = await spillDay(deps, spill, date, deadline);
      let rowsMerged = 0;
      for (let pass = 0; pass < passes; pass++) {
        const inPartition = (orderId: string) => store.partitionHash(orderId) % passes === pass;
        // One record per order folded in place: no allocation for an order's later rows.
        const psp = new Map<string, PspDay>();
        for await (const rows of spill.read(pass)) {
          for (const row of rows) {
            const day = psp.get(row.orderId);
            if (day) addSettlement(day, row);
            else psp.set(row.orderId, foldSettlement(undefined, row));
          }
          rowsMerged += rows.length;
          deps.onProgress?.({ pass: pass + 1, passes, rowsRead: rowsMerged, rowsTotal: totals.rows });
        }

        // Our side streams past the PSP's map page by page; only the PSP's side is held. Rows read by
        // payout date say nothing of which approvals to expect, so then only the PSP's orders are read.
        const days = soldDates ? periodDays(date, settings.cycle) : [];
        const shards = shardsOfPass(pass, passes, store.dayShards);
        for await (const orders of internalPartition(store, days, shards, inPartition, psp)) {
          await forEachConcurrently(undecided(orders, report), settings.concurrency, async (order) =>
            report.add(await reconcileOrder(deps, order, deadline, { dryRun })),
          );
        }
      }

      const at = deps.clock().toISOString();
      const day = { date, dateType: settings.dateType };
      const fees = dryRun
        ? { ...(await deps.ledger.feesRecorded(day)), added: 0 }
        : await recordDayFees(deps.ledger, day, totals.kept, at);
      const ledger = checkLedgerAgainstWallets(
        await deps.ledger.accounts(),
        await deps.wallets.totalBalance(),
      );
      const summary = report.summary({
        generatedAt: at,
        dryRun,
        dateType: settings.dateType,
        totals,
        fees: { recorded: fees.amount, added: fees.added },
        ledger,
      });
      if (dryRun) return { summary, reports: [] };
      const locations = await report.write(deps.reports, summary);
      // Last: a summary item means the day was closed and its reports exist.
      await store.saveSummary(summary);
      return { summary, reports: locations };
    } finally {
      await spill.dispose();
    }
  };
}

/** Reads the day's settlement rows from the PSP once, into the spill by partition; returns their totals. */
async function spillDay(
  deps: ReconciliationDeps,
  spill: SettlementSpill,
  date: string,
  deadline: Deadline,
): Promise<SettlementTotals> {
  const { passes, pageSize, dateType } = deps.settings;
  const totals = emptySettlementTotals();
  for await (const rows of settlementPages(deps.settlements, { date, dateType }, pageSize, deadline)) {
    const byPartition: SettlementMovement[][] = Array.from({ length: passes }, () => []);
    for (const row of rows) {
      byPartition[deps.store.partitionHash(row.orderId) % passes]?.push(row);
      addToTotals(totals, row);
    }
    await Promise.all(
      byPartition.map((part, pass) => (part.length > 0 ? spill.append(pass, part) : undefined)),
    );
    deps.onProgress?.({ pass: 0, passes, rowsRead: totals.rows });
  }
  return totals;
}

/** The day-index shards whose orders fall in `pass` (shard = hash % dayShards). */
function shardsOfPass(pass: number, passes: number, dayShards: number): number[] {
  if (passes >= dayShards) return [pass % dayShards];
  return Array.from({ length: dayShards / passes }, (_, k) => pass + k * passes);
}

/** How far back (in settlement dates: days with the daily cycle) a scheduled run looks for days left open. */
export const CATCH_UP_DAYS = 31;

/** A scheduled run needs this much time left to start one more day; the next run picks up the rest. */
const DAY_START_MARGIN_MS = 120_000;

/**
 * The scheduled run, as of the event's scheduled time (not the clock at run time, so a late or
 * retried run does what it was meant to): every closed day a failed or missed run left open since
 * the first completed one, and the newest `recheckDays` completed days again, oldest first. Days
 * are closed only once over plus the settlement lag, so no run can close a day early and hide it.
 */
export function scheduledReconciliationUseCase(deps: ReconciliationDeps) {
  const reconcile = reconciliationUseCase(deps);
  const lagMs = deps.settings.settlementLagHours * 3_600_000;
  return async (scheduledAt: Date, deadline: Deadline): Promise<ReconciliationResult[]> => {
    const asOf = new Date(Math.min(scheduledAt.getTime(), deps.clock().getTime()));
    const cycle = deps.settings.dateType === 'soldDate' ? deps.settings.cycle : 'DAILY';
    const window = settlementDatesEndingAt(newestClosedDay(asOf, lagMs), CATCH_UP_DAYS, cycle);
    const completed = await deps.store.completedDays(window);
    const days = daysToReconcile(window, completed, deps.settings.recheckDays);
    const results: ReconciliationResult[] = [];
    for (const day of days) {
      if (results.length > 0 && deadline.remainingMs() < DAY_START_MARGIN_MS) break;
      results.push(await reconcile(day, deadline, asOf));
    }
    return results;
  };
}

/** Every page of the day's settlement rows; a shorter page is the last. */
async function* settlementPages(
  gateway: SettlementGateway,
  { date, dateType }: { date: string; dateType: SettlementDateType },
  size: number,
  deadline: Deadline,
): AsyncGenerator<readonly PspSettlement[]> {
  for (let page = 1; ; page++) {
    const query = { startDate: date, endDate: date, dateType, page, size };
    const result = await gateway.settlements(query, deadline);
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
  days: readonly string[],
  shards: readonly number[],
  inPartition: (orderId: string) => boolean,
  psp: Map<string, PspDay>,
): AsyncGenerator<OrderEvidence[]> {
  for (const day of days) {
    for (const shard of shards) {
      for await (const page of store.approvedOn(day, shard)) {
        const orders: OrderEvidence[] = [];
        for (const internal of page) {
          if (!inPartition(internal.orderId)) continue;
          orders.push({ orderId: internal.orderId, psp: psp.get(internal.orderId), internal });
          psp.delete(internal.orderId);
        }
        yield orders;
      }
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
