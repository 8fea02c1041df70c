import { seoulDay } from '../../domain/business-day';

/** Item keys and sparse-index values of the payments table (single-table design). */
/**
 * The payment item, which is also its outbox slot: every business transaction writes it with the
 * event, so its stream records arrive in event order.
 */
export const PAYMENT_SK = '#PAYMENT';
/**
 * `lastWriter` of the payment item, signed by every write of it: the publisher's stream filter lets
 * only a business transaction's write (a new event) through, never a state-only update, a lease,
 * the publisher's own mark or a completion.
 */
export const WRITER_TRANSACTION = 'transaction';
export const WRITER_STATE = 'state';
export const WRITER_PUBLISHER = 'publisher';
export const WRITER_COMPLETION = 'completion';
export const EVENT_SK_PREFIX = 'EVENT#';

/**
 * Index partitions are spread over shards so no single partition key runs hot: one index partition
 * takes 1,000 writes/s (see bench/throughput-model.ts). A confirm writes its approval-day shard once.
 */
export const INDEX_SHARDS = 16;

/**
 * The indexes every payment enters and leaves (`recovery`, `incomplete`: 2 writes each) take twice
 * the approval day's writes, so twice the shards: 32 × 1,000 / 2 = 16,000 payments/s each.
 */
export const WORK_INDEX_SHARDS = 32;

const PAYMENT_PK_PREFIX = 'PAYMENT#';

export function paymentPk(orderId: string): string {
  return `${PAYMENT_PK_PREFIX}${orderId}`;
}

export function orderIdOfPk(pk: string): string {
  return pk.slice(PAYMENT_PK_PREFIX.length);
}

export function eventSk(seq: number): string {
  return `${EVENT_SK_PREFIX}${String(seq).padStart(10, '0')}`;
}

/**
 * 32-bit FNV-1a of the orderId's UTF-16 code units: no allocation, a few ns per id, evenly spread
 * for ids that differ anywhere. Not a security boundary: ids are ours, shards only spread load.
 */
export function orderHash(orderId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export function shardOf(orderId: string): number {
  return orderHash(orderId) % INDEX_SHARDS;
}

export function recoveryShard(orderId: string): string {
  return recoveryShardKey(orderHash(orderId) % WORK_INDEX_SHARDS);
}

export function recoveryShardKey(shard: number): string {
  return `RECOVERY#${shard}`;
}

/** Partition of the sparse `incomplete` index: payments whose latest event is not applied everywhere yet. */
export function incompleteShard(orderId: string): string {
  return incompleteShardKey(orderHash(orderId) % WORK_INDEX_SHARDS);
}

export function incompleteShardKey(shard: number): string {
  return `COMPLETION#${shard}`;
}

/** Partition of the approval-day index holding one shard of a Seoul day's approved payments. */
export function approvalDayKey(date: string, shard: number): string {
  return `DAY#${date}#${shard}`;
}

/** Reconciliation reads a PSP business day, so payments are indexed by their approval's Seoul day. */
export function approvalDayShard(orderId: string, approvedAt: string): string {
  return approvalDayKey(seoulDay(new Date(approvedAt)), shardOf(orderId));
}
