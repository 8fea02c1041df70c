/**
 * A synthetic Seoul day of settlement rows for the reconciliation use case, with a PSP and a payments
 * table that generate their pages on the fly (no HTTP, nothing held), so what the heap holds is the use
 * case's own doing. Shared by test/integration/reconciliation-memory.test.ts and
 * bench/reconciliation-day.ts.
 *
 * The truth of order `i` is derived, never stored: approvals `0 .. approvals - 1` are settled by the
 * PSP, every `cancelEvery`-th of them (0, cancelEvery, ...) also has a cancel row of `cancelAmount`,
 * and `oursOnly` more are approved here but never settled. Here, orders 7, 10007, ... are held
 * UNKNOWN (the use case corrects them), 3, 40003, ... are missing from the day index, and 11, 50011,
 * ... carry another amount.
 */
import { tmpdir } from 'node:os';
import { INDEX_SHARDS, orderHash, shardOf } from '../../lambdas/adapters/dynamodb/keys';
import { FolderSettlementSpills } from '../../lambdas/adapters/folder/folder-settlement-spill';
import {
  DEFAULT_RECONCILIATION_SETTINGS,
  reconciliationUseCase,
} from '../../lambdas/application/reconciliation';
import { createPayment, markUnknown, type Payment, startExecution } from '../../lambdas/domain/payment';
import type { InternalPayment } from '../../lambdas/domain/reconciliation';
import type { PspLookup, PspSettlement, PspSettlementPage, SettlementQuery } from '../../lambdas/ports/psp';
import type { ReconciliationStore, ReconciliationSummary } from '../../lambdas/ports/reconciliation-store';
import { MemoryFeeLedger } from './memory-fee-ledger';

export interface SyntheticSettlementDayOptions {
  /** Approvals settled by the PSP. */
  readonly approvals: number;
  /** Payments of each internal day-index page. */
  readonly internalPageRows: number;
  /** Every this-th approval (0 included) also has a cancel row; 19 unless told. */
  readonly cancelEvery?: number;
  /** The amount of each cancel row; 100 unless told. */
  readonly cancelAmount?: number;
  /** Approved here that day but never settled by the PSP; 100 unless told. */
  readonly oursOnly?: number;
}

export interface SyntheticStoreHooks {
  /** Called when a partition's settlements and day index are both in memory. */
  readonly atMergePoint?: () => void;
  readonly saveSummary?: (summary: ReconciliationSummary) => void;
}

const DATE = '2024-03-01';
const APPROVED_AT = '2024-03-01T12:00:00+09:00';

const orderId = (i: number) => `ord-${String(i).padStart(7, '0')}`;
const indexOf = (id: string) => Number(id.slice(4));
const amountOf = (i: number) => 1_000 + (i % 97) * 10;
/** A 3.2% fee, returned in proportion on a cancel. */
const feeOf = (amount: number) => Math.sign(amount) * Math.round(Math.abs(amount) * 0.032);

export function syntheticSettlementDay(options: SyntheticSettlementDayOptions) {
  const { approvals, internalPageRows, cancelEvery = 19, cancelAmount = 100, oursOnly = 100 } = options;
  /** Settlement rows: the approvals, then one cancel row for every cancelEvery-th approval. */
  const rows = approvals + Math.ceil(approvals / cancelEvery);
  const isCanceled = (i: number) => i < approvals && i % cancelEvery === 0;
  const isUnknownHere = (i: number) => i < approvals && i % 10_000 === 7;
  const isMissingHere = (i: number) => i < approvals && i % 40_000 === 3;
  const hasOtherAmountHere = (i: number) => i % 50_000 === 11;

  /** The PSP's transaction key of order i's cancel. */
  const cancelKey = (i: number) => `tx-cancel-${i}`;

  const internal = (i: number): InternalPayment => {
    const amount = amountOf(i) + (hasOtherAmountHere(i) ? 1 : 0);
    const canceled = isCanceled(i) ? cancelAmount : 0;
    return {
      orderId: orderId(i),
      status: canceled ? 'PARTIAL_CANCELED' : 'SUCCESS',
      amount,
      balanceAmount: amount - canceled,
      paymentKey: `pk-${i}`,
      cancels: canceled ? [{ transactionKey: cancelKey(i), amount: canceled }] : [],
    };
  };

  const settlementRow = (row: number): PspSettlement => {
    const approval = row < approvals;
    const i = approval ? row : (row - approvals) * cancelEvery;
    const amount = approval ? amountOf(i) : -cancelAmount;
    const fee = feeOf(amount);
    return {
      orderId: orderId(i),
      paymentKey: `pk-${i}`,
      transactionKey: `tx-${row}`,
      amount,
      fee,
      payOutAmount: amount - fee,
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
          balanceAmount: amountOf(i) - (isCanceled(i) ? cancelAmount : 0),
          approvedAt: APPROVED_AT,
          cancels: isCanceled(i)
            ? [{ transactionKey: cancelKey(i), cancelAmount, canceledAt: APPROVED_AT }]
            : [],
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

  /** Shard of each order, worked out on the first read of the day index: 1 byte per order. */
  let shards: Uint8Array | undefined;
  const shardOfOrder = (i: number) => {
    if (!shards) {
      shards = new Uint8Array(approvals + oursOnly);
      for (let k = 0; k < shards.length; k++) shards[k] = shardOf(orderId(k));
    }
    return shards[i];
  };

  /** The day index (every shard's pages generated on each read) and the payments held UNKNOWN. */
  const store = (hooks: SyntheticStoreHooks = {}): ReconciliationStore => ({
    dayShards: INDEX_SHARDS,
    partitionHash: orderHash,
    async *approvedOn(_date, shard) {
      let page: InternalPayment[] = [];
      for (let i = 0; i < approvals + oursOnly; i++) {
        if (isUnknownHere(i) || isMissingHere(i) || shardOfOrder(i) !== shard) continue;
        page.push(internal(i));
        if (page.length === internalPageRows) {
          yield page;
          page = [];
        }
      }
      yield page;
    },
    async findPayments(ids) {
      hooks.atMergePoint?.();
      return ids
        .filter((id) => isUnknownHere(indexOf(id)))
        .map((id) => corrected.get(id) ?? unknownPayment(id));
    },
    async saveSummary(summary) {
      hooks.saveSummary?.(summary);
    },
    async completedDays() {
      return new Set<string>();
    },
  });

  return { date: DATE, rows, psp, payments, store };
}

/** The reconciliation use case over a synthetic day, with nothing to report to and no ledger to check. */
export function reconcileSyntheticDay(
  day: ReturnType<typeof syntheticSettlementDay>,
  store: ReconciliationStore,
  onProgress: () => void,
) {
  return reconciliationUseCase({
    psp: day.psp,
    settlements: day.psp,
    store,
    payments: day.payments,
    reports: { put: async (key) => key },
    spills: new FolderSettlementSpills(tmpdir()),
    ledger: Object.assign(new MemoryFeeLedger(), { accounts: async () => [] }),
    wallets: { totalBalance: async () => 0 },
    clock: () => new Date(),
    settings: DEFAULT_RECONCILIATION_SETTINGS,
    onProgress,
  });
}
