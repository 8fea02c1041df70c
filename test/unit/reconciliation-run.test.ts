import { tmpdir } from 'node:os';
import { FolderSettlementSpills } from '../../lambdas/adapters/folder/folder-settlement-spill';
import {
  FutureDayError,
  type ReconciliationDeps,
  type ReconciliationProgress,
  reconciliationUseCase,
  scheduledReconciliationUseCase,
} from '../../lambdas/application/reconciliation';
import { seoulDay } from '../../lambdas/domain/business-day';
import type { DomainEvent } from '../../lambdas/domain/events';
import { sellerPayable } from '../../lambdas/domain/ledger';
import { approve, type Payment, type PaymentStatus } from '../../lambdas/domain/payment';
import type { InternalPayment, PspPaymentView } from '../../lambdas/domain/reconciliation';
import type { PaymentStore } from '../../lambdas/ports/payment-store';
import type { PspLookup, PspSettlement, PspSettlementPage, SettlementQuery } from '../../lambdas/ports/psp';
import type { ReconciliationStore, ReconciliationSummary } from '../../lambdas/ports/reconciliation-store';
import { MemoryFeeLedger } from '../support/memory-fee-ledger';
import { APPROVED_AT, AT, accepted, PAYMENT_KEY, paymentIn } from './payment-fixtures';

const DATE = seoulDay(new Date(APPROVED_AT));
const DAY_BEFORE = '2024-02-12T12:00:00+09:00';
/** 06:00 in Seoul the day after DATE: the day is over and its rows are in (3 h of settlement lag). */
const CLOSED_AT = '2024-02-13T21:00:00.000Z';
/** Noon of DATE in Seoul: the day is still open. */
const OPEN_AT = '2024-02-13T03:00:00.000Z';
const deadline = { remainingMs: () => 60_000 };

/** The payments table as reconciliation and corrections see it: a day index of two shards, versioned saves. */
class MemoryPayments implements ReconciliationStore, Pick<PaymentStore, 'get' | 'save'> {
  readonly dayShards = 2;
  readonly payments = new Map<string, Payment>();
  readonly events: DomainEvent[] = [];
  readonly summaries: ReconciliationSummary[] = [];
  /** Runs before a save is applied, to play a concurrent writer. */
  beforeSave?: (orderId: string) => void;

  constructor(payments: Payment[]) {
    for (const payment of payments) this.payments.set(payment.orderId, payment);
  }

  partitionHash(orderId: string): number {
    return orderId.charCodeAt(orderId.length - 1);
  }

  async *approvedOn(date: string, shard: number): AsyncGenerator<InternalPayment[]> {
    const day = [...this.payments.values()].filter(
      (p) =>
        p.approvedAt !== undefined &&
        seoulDay(new Date(p.approvedAt)) === date &&
        ['SUCCESS', 'PARTIAL_CANCELED', 'CANCELED'].includes(p.status) &&
        this.partitionHash(p.orderId) % this.dayShards === shard,
    );
    for (let i = 0; i < day.length; i += 2) yield day.slice(i, i + 2);
  }

  async findPayments(orderIds: readonly string[]): Promise<InternalPayment[]> {
    return orderIds.flatMap((id) => this.payments.get(id) ?? []);
  }

  async saveSummary(summary: ReconciliationSummary): Promise<void> {
    this.summaries.push(summary);
  }

  async completedDays(dates: readonly string[]): Promise<Set<string>> {
    return new Set(this.summaries.map((s) => s.date).filter((date) => dates.includes(date)));
  }

  async get(orderId: string): Promise<Payment | undefined> {
    return this.payments.get(orderId);
  }

  async save(previous: Payment, next: Payment, options: { event?: DomainEvent } = {}): Promise<boolean> {
    this.beforeSave?.(previous.orderId);
    if (this.payments.get(previous.orderId)?.version !== previous.version) return false;
    this.payments.set(next.orderId, next);
    if (options.event) this.events.push(options.event);
    return true;
  }
}

class FakePsp {
  lookups = 0;
  pages = 0;
  failSettlements = false;
  /** The soldDate the rows carry: DATE itself with the daily cycle. */
  soldDate = DATE;

  constructor(
    readonly rows: PspSettlement[],
    readonly views: Map<string, PspPaymentView>,
  ) {}

  async settlements({ startDate, page, size }: SettlementQuery): Promise<PspSettlementPage> {
    this.pages += 1;
    if (this.failSettlements) return { kind: 'unknown', code: 'TIMEOUT', message: 'no answer' };
    const rows = startDate === this.soldDate ? this.rows : [];
    return { kind: 'page', rows: rows.slice((page - 1) * size, page * size) };
  }

  async findByOrderId(orderId: string): Promise<PspLookup> {
    this.lookups += 1;
    const view = this.views.get(orderId);
    return view
      ? {
          kind: 'found',
          payment: { ...view, orderId, cancels: view.cancels.map((c) => ({ ...c, canceledAt: AT })) },
        }
      : { kind: 'notFound' };
  }
}

function payment(orderId: string, status: PaymentStatus, overrides: Partial<Payment> = {}): Payment {
  return { ...paymentIn(status), orderId, ...overrides };
}

/** A 1% fee (returned in proportion on a cancel); the payout is the rest. */
const row = (orderId: string, amount: number): PspSettlement => {
  const fee = Math.trunc(amount / 100) + 0;
  return {
    orderId,
    paymentKey: PAYMENT_KEY,
    transactionKey: `${orderId}:${amount}`,
    amount,
    fee,
    payOutAmount: amount - fee,
    approvedAt: APPROVED_AT,
  };
};

const view = (balanceAmount: number, status = 'PARTIAL_CANCELED'): PspPaymentView => ({
  paymentKey: PAYMENT_KEY,
  status,
  totalAmount: 6_000,
  balanceAmount,
  approvedAt: APPROVED_AT,
  cancels:
    balanceAmount < 6_000 ? [{ transactionKey: 'tx-cancel', cancelAmount: 6_000 - balanceAmount }] : [],
});

/** One order per class, and one per correction, on DATE. */
function scenario() {
  const table = new MemoryPayments([
    payment('matched-A', 'SUCCESS'),
    payment('unknown-B', 'UNKNOWN'),
    payment('uncanceled-C', 'SUCCESS'),
    payment('ours-only-E', 'SUCCESS'),
    payment('not-started-F', 'NOT_STARTED'),
    payment('executing-G', 'EXECUTING'),
    payment('earlier-H', 'PARTIAL_CANCELED', {
      approvedAt: DAY_BEFORE,
      cancels: [{ transactionKey: 'tx-cancel', amount: 1 }],
    }),
  ]);
  const psp = new FakePsp(
    [
      row('matched-A', 6_000),
      row('unknown-B', 6_000),
      row('uncanceled-C', 6_000),
      row('uncanceled-C', -2_000),
      row('theirs-only-D', 9_000),
      row('not-started-F', 6_000),
      row('executing-G', 5_000),
      row('earlier-H', -1),
    ],
    new Map([
      ['uncanceled-C', view(4_000)],
      ['earlier-H', view(5_999)],
    ]),
  );
  const reports = new Map<string, string>();
  const progress: ReconciliationProgress[] = [];
  const fees = new MemoryFeeLedger();
  const deps = (
    settings: Partial<ReconciliationDeps['settings']> = {},
    now = CLOSED_AT,
  ): ReconciliationDeps => ({
    psp,
    settlements: psp,
    store: table,
    payments: table,
    reports: {
      put: async (key, body) => {
        reports.set(key, body);
        return `memory://${key}`;
      },
    },
    spills: new FolderSettlementSpills(tmpdir()),
    ledger: Object.assign(fees, {
      accounts: async () => [{ account: sellerPayable('s'), debits: 0, credits: 6_000 }],
    }),
    wallets: { totalBalance: async () => 6_000 },
    clock: () => new Date(now),
    settings: {
      passes: 1,
      pageSize: 5_000,
      concurrency: 3,
      settlementLagHours: 3,
      recheckDays: 0,
      dateType: 'soldDate',
      cycle: 'DAILY',
      ...settings,
    },
    onProgress: (p) => progress.push(p),
  });
  const csvRows = () =>
    (reports.get(`reconciliation/${DATE}/discrepancies.csv`) ?? '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','))
      .map(([orderId, cls, action]) => ({ orderId, cls, action }))
      .sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)));
  return { table, psp, reports, progress, fees, deps, csvRows };
}

const withoutTime = ({ generatedAt: _, ...summary }: ReconciliationSummary) => summary;

describe('reconciliation run', () => {
  it('classifies every order, applies the safe corrections and reports the rest', async () => {
    const { table, psp, deps, csvRows, reports } = scenario();
    const { summary, reports: locations } = await reconciliationUseCase(deps())(DATE, deadline);

    expect(summary).toEqual({
      date: DATE,
      generatedAt: CLOSED_AT,
      dryRun: false,
      dateType: 'soldDate',
      settlementRows: 8,
      orders: 8,
      pspNetAmount: 6_000 * 4 + 9_000 + 5_000 - 2_000 - 1,
      // Fees 60 * 4 + 90 + 50 - 20 (returned with the cancel): what the PSP kept.
      psp: { fee: 360, payOut: 35_999 - 360, kept: 360, payOutMismatches: 0 },
      ledgerFees: { recorded: 360, added: 360 },
      counts: { MATCHED: 4, MISSING_INTERNAL: 1, MISSING_AT_PSP: 1, AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 1 },
      corrections: { approved: 1, canceled: 1 },
      // Four orders for a person, and both corrections: something upstream missed them.
      discrepancies: 4 + 2,
      ledger: { walletsTotal: 6_000, sellerPayables: 6_000, balanced: true },
    });
    expect(csvRows()).toEqual([
      { orderId: 'executing-G', cls: 'AMOUNT_MISMATCH', action: 'REVIEW' },
      { orderId: 'not-started-F', cls: 'STATUS_MISMATCH', action: 'REVIEW' },
      { orderId: 'ours-only-E', cls: 'MISSING_AT_PSP', action: 'REVIEW' },
      { orderId: 'theirs-only-D', cls: 'MISSING_INTERNAL', action: 'REVIEW' },
      { orderId: 'uncanceled-C', cls: 'STATUS_MISMATCH', action: 'CANCELED 2000' },
      { orderId: 'unknown-B', cls: 'STATUS_MISMATCH', action: 'APPROVED' },
    ]);
    expect(table.payments.get('unknown-B')).toMatchObject({ status: 'SUCCESS', approvedAt: APPROVED_AT });
    expect(table.payments.get('uncanceled-C')).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 4_000,
    });
    expect(table.events.map((e) => [e.orderId, e.type])).toEqual(
      expect.arrayContaining([
        ['unknown-B', 'PaymentConfirmed'],
        ['uncanceled-C', 'PaymentCanceled'],
      ]),
    );
    expect(table.events).toHaveLength(2);
    // Only orders whose day rows cannot tell the balance are looked up.
    expect(psp.lookups).toBe(2);
    expect(locations).toEqual([
      `memory://reconciliation/${DATE}/report.json`,
      `memory://reconciliation/${DATE}/discrepancies.csv`,
    ]);
    expect(JSON.parse(reports.get(`reconciliation/${DATE}/report.json`) ?? '')).toEqual(summary);
    expect(table.summaries).toEqual([summary]);
  });

  it('is idempotent: a re-run applies nothing, reports the same counts and keeps only the open discrepancies', async () => {
    const { table, deps, csvRows } = scenario();
    const reconcile = reconciliationUseCase(deps());
    const first = await reconcile(DATE, deadline);
    const stored = new Map(table.payments);
    const second = await reconcile(DATE, deadline);

    expect(second.summary.corrections).toEqual({ approved: 0, canceled: 0 });
    expect(second.summary.counts).toEqual(first.summary.counts);
    expect([first.summary.discrepancies, second.summary.discrepancies]).toEqual([6, 4]);
    expect(second.summary.ledgerFees).toEqual({ recorded: 360, added: 0 });
    expect(table.payments).toEqual(stored);
    expect(table.events).toHaveLength(2);
    expect(csvRows().map((r) => r.orderId)).toEqual([
      'executing-G',
      'not-started-F',
      'ours-only-E',
      'theirs-only-D',
    ]);
  });

  it('gives the same result however finely the day is partitioned and paged', async () => {
    const coarse = scenario();
    const fine = scenario();
    const a = await reconciliationUseCase(coarse.deps())(DATE, deadline);
    const b = await reconciliationUseCase(fine.deps({ passes: 6, pageSize: 2 }))(DATE, deadline);
    expect(withoutTime(b.summary)).toEqual(withoutTime(a.summary));
    expect(fine.csvRows()).toEqual(coarse.csvRows());
    // The PSP's 8 rows are read once, 2 a page (the fifth page, empty, ends it), then merged by 6 passes.
    expect(fine.psp.pages).toBe(5);
    expect(fine.progress[0]).toEqual({ pass: 0, passes: 6, rowsRead: 2 });
    expect(fine.progress.filter((p) => p.pass === 0).at(-1)).toEqual({ pass: 0, passes: 6, rowsRead: 8 });
    expect(fine.progress.at(-1)).toMatchObject({ passes: 6, rowsRead: 8, rowsTotal: 8 });
  });

  it('re-decides a correction that lost to a concurrent writer, and applies nothing twice', async () => {
    const { table, deps, csvRows } = scenario();
    table.beforeSave = (orderId) => {
      if (orderId !== 'unknown-B') return;
      table.beforeSave = undefined;
      // Recovery approves the payment just before reconciliation's write lands.
      const stored = table.payments.get(orderId) as Payment;
      const next = approve(stored, { paymentKey: PAYMENT_KEY, approvedAt: APPROVED_AT, at: AT });
      table.payments.set(orderId, accepted(next));
      if (next.ok && next.event) table.events.push(next.event);
    };
    const { summary } = await reconciliationUseCase(deps())(DATE, deadline);
    expect(summary.corrections).toEqual({ approved: 0, canceled: 1 });
    expect(summary.counts.MATCHED).toBe(4);
    expect(table.events.filter((e) => e.orderId === 'unknown-B')).toHaveLength(1);
    expect(csvRows().find((r) => r.orderId === 'unknown-B')?.action).toBe('RESOLVED_CONCURRENTLY');
  });

  it('fails the run, writing no summary, when the PSP cannot be read', async () => {
    const { table, psp, deps, reports } = scenario();
    psp.failSettlements = true;
    await expect(reconciliationUseCase(deps())(DATE, deadline)).rejects.toThrow(/TIMEOUT/);
    expect(table.summaries).toEqual([]);
    expect(reports.size).toBe(0);
  });

  it('fails the run rather than guess when a needed PSP lookup fails', async () => {
    const { psp, deps, table } = scenario();
    psp.findByOrderId = async () => ({ kind: 'unknown', code: 'TIMEOUT', message: 'no answer' });
    await expect(reconciliationUseCase(deps())(DATE, deadline)).rejects.toThrow(/lookup of .* failed/);
    expect(table.summaries).toEqual([]);
  });

  it('fees appear in the report and in the ledger once; a re-check with more rows records only the difference', async () => {
    const { fees, psp, deps } = scenario();
    const reconcile = reconciliationUseCase(deps());
    await reconcile(DATE, deadline);
    await reconcile(DATE, deadline);
    expect(fees.transactions.map((t) => [t.revision, t.amount])).toEqual([[1, 360]]);
    expect(fees.transactions[0]?.entries).toEqual([
      { account: 'psp-fees', debit: 360, credit: 0 },
      { account: 'psp-clearing', debit: 0, credit: 360 },
    ]);

    psp.rows.push(row('late-I', 3_000));
    const { summary } = await reconcile(DATE, deadline);
    expect(summary.ledgerFees).toEqual({ recorded: 390, added: 30 });
    expect(fees.transactions.map((t) => [t.revision, t.amount])).toEqual([
      [1, 360],
      [2, 30],
    ]);
  });

  it('counts a row whose payout is not its amount less its fee as a discrepancy', async () => {
    const { psp, deps } = scenario();
    psp.rows.push({ ...row('matched-A', 0), amount: 1, fee: 0, payOutAmount: 0, transactionKey: 'odd' });
    const { summary } = await reconciliationUseCase(deps())(DATE, deadline);
    expect(summary.psp.payOutMismatches).toBe(1);
    expect(summary.psp.kept).toBe(361);
  });

  it('a run of a day still open is a dry run: it finds, corrects and stores nothing', async () => {
    const { table, fees, reports, deps } = scenario();
    const result = await reconciliationUseCase(deps({}, OPEN_AT))(DATE, deadline);
    expect(result.summary).toMatchObject({
      dryRun: true,
      corrections: { approved: 0, canceled: 0 },
      ledgerFees: { recorded: 0, added: 0 },
    });
    expect(result.summary.counts.STATUS_MISMATCH).toBe(3);
    expect(result.reports).toEqual([]);
    expect(table.summaries).toEqual([]);
    expect(table.events).toEqual([]);
    expect(fees.transactions).toEqual([]);
    expect(reports.size).toBe(0);
  });

  it('with a weekly cycle, reconciles the week under its Sunday against every day of it', async () => {
    const { psp, deps } = scenario();
    const sunday = '2024-02-18';
    psp.soldDate = sunday;
    const weekly = deps({ cycle: 'WEEKLY' }, '2024-02-18T21:00:00.000Z');
    const { summary } = await reconciliationUseCase(weekly)(sunday, deadline);
    expect(summary).toMatchObject({
      date: sunday,
      dryRun: false,
      counts: { MATCHED: 4, MISSING_INTERNAL: 1, MISSING_AT_PSP: 1, AMOUNT_MISMATCH: 1, STATUS_MISMATCH: 1 },
      corrections: { approved: 1, canceled: 1 },
    });
    await expect(reconciliationUseCase(weekly)(DATE, deadline)).rejects.toThrow(
      `${DATE} is not a settlement date of the WEEKLY cycle: its sales settle on ${sunday}`,
    );
  });

  it('refuses a future day', async () => {
    const { deps } = scenario();
    await expect(reconciliationUseCase(deps({}, OPEN_AT))('2024-02-14', deadline)).rejects.toThrow(
      FutureDayError,
    );
  });

  describe('scheduled runs', () => {
    /** 06:00 in Seoul on the day after `day`: when the daily schedule fires for `day`. */
    const firedFor = (day: string) => new Date(Date.parse(`${day}T21:00:00Z`));
    const dayAfter = (day: string, n: number) =>
      new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const roomy = { remainingMs: () => 900_000 };
    const muchLater = '2024-03-30T00:00:00.000Z';

    it('reconcile the day before the scheduled time, not the clock at run time', async () => {
      const { table, deps } = scenario();
      // The run starts three days late (a retried or delayed invocation).
      const late = deps({}, dayAfter(DATE, 4));
      const results = await scheduledReconciliationUseCase(late)(firedFor(DATE), deadline);
      expect(results.map((r) => r.summary.date)).toEqual([DATE]);
      expect(table.summaries.map((s) => s.date)).toEqual([DATE]);
    });

    it('never closes a day early, whatever the event says: the clock bounds the scheduled time', async () => {
      const { table, deps } = scenario();
      const results = await scheduledReconciliationUseCase(deps({}, OPEN_AT))(firedFor(DATE), deadline);
      expect(results.map((r) => r.summary.date)).toEqual([dayAfter(DATE, -1)]);
      expect(table.summaries.map((s) => s.date)).toEqual([dayAfter(DATE, -1)]);
    });

    it('catch up every day after the last completed one, oldest first; a re-run finds nothing left', async () => {
      const { table, deps } = scenario();
      await reconciliationUseCase(deps())(DATE, deadline);
      const target = dayAfter(DATE, 3);

      const results = await scheduledReconciliationUseCase(deps({}, muchLater))(firedFor(target), roomy);

      expect(results.map((r) => r.summary.date)).toEqual([dayAfter(DATE, 1), dayAfter(DATE, 2), target]);
      const again = await scheduledReconciliationUseCase(deps({}, muchLater))(firedFor(target), roomy);
      expect(again.map((r) => r.summary.date)).toEqual([]);
      expect(table.summaries.map((s) => s.date)).toEqual([
        DATE,
        dayAfter(DATE, 1),
        dayAfter(DATE, 2),
        target,
      ]);
    });

    it('re-checks the newest closed days too, and corrects what changed at the PSP since', async () => {
      const { table, psp, deps } = scenario();
      const scheduled = scheduledReconciliationUseCase(deps({ recheckDays: 2 }, muchLater));
      await reconciliationUseCase(deps())(DATE, deadline);
      await scheduled(firedFor(dayAfter(DATE, 1)), roomy);
      // A console refund the PSP reports for DATE's order after DATE was closed.
      psp.views.set('matched-A', view(5_000));
      psp.rows.push(row('matched-A', -1_000));
      const results = await scheduled(firedFor(dayAfter(DATE, 2)), roomy);
      expect(results.map((r) => r.summary.date)).toEqual([DATE, dayAfter(DATE, 1), dayAfter(DATE, 2)]);
      expect(results[0]?.summary.corrections).toEqual({ approved: 0, canceled: 1 });
      expect(table.payments.get('matched-A')).toMatchObject({ balanceAmount: 5_000 });
    });

    it('a manual run of the open day stores nothing, so the night still closes it and corrects it', async () => {
      const { table, deps } = scenario();
      await reconciliationUseCase(deps({}, OPEN_AT))(DATE, deadline);
      const results = await scheduledReconciliationUseCase(deps())(firedFor(DATE), roomy);
      expect(results.map((r) => [r.summary.date, r.summary.dryRun])).toEqual([[DATE, false]]);
      expect(results[0]?.summary.corrections).toEqual({ approved: 1, canceled: 1 });
      expect(table.summaries.map((s) => s.date)).toEqual([DATE]);
    });
  });
});
