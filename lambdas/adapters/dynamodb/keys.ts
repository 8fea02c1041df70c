import { createHash } from 'node:crypto';

/** Item keys and sparse-index values of the payments table (single-table design). */
export const PAYMENT_SK = '#PAYMENT';
export const OUTBOX_SK = '#OUTBOX';
export const EVENT_SK_PREFIX = 'EVENT#';
export const SETTLED_SK_PREFIX = '#SETTLED#';

/** Index partitions are spread over shards so no single partition key runs hot. */
export const INDEX_SHARDS = 4;

export function paymentPk(orderId: string): string {
  return `PAYMENT#${orderId}`;
}

export function eventSk(seq: number): string {
  return `${EVENT_SK_PREFIX}${String(seq).padStart(10, '0')}`;
}

export function shardOf(orderId: string): number {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) % INDEX_SHARDS;
}

export function recoveryShard(orderId: string): string {
  return `RECOVERY#${shardOf(orderId)}`;
}

export function unpublishedShard(orderId: string): string {
  return `OUTBOX#${shardOf(orderId)}`;
}

/** Reconciliation reads a PSP business day, which is a calendar day in Asia/Seoul (UTC+9, no DST). */
export function seoulDate(isoInstant: string): string {
  return new Date(Date.parse(isoInstant) + 9 * 3_600_000).toISOString().slice(0, 10);
}

export function approvalDayShard(orderId: string, approvedAt: string): string {
  return `DAY#${seoulDate(approvedAt)}#${shardOf(orderId)}`;
}
