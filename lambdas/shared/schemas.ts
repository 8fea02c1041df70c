import * as v from 'valibot';
import { isCalendarDate } from '../domain/business-day';
import { CURRENCY_CODES, MAX_AMOUNT } from '../domain/money';

/**
 * Request bodies and path parameters of the HTTP contract. Unknown fields are refused so typos
 * surface as 400s. Ids end up in DynamoDB keys (partition key at most 2048 bytes, sort key 1024):
 * the length caps below keep every key far inside those limits, so an oversized id is a 400 here
 * and never a DynamoDB ValidationException (a 5xx) in AWS or locally.
 */

const identifier = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.regex(/^[A-Za-z0-9_.:-]+$/, 'use 1-64 characters of A-Z, a-z, 0-9, _ . : -'),
);
const amount = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_AMOUNT));

export const checkoutSchema = v.strictObject({
  buyerId: identifier,
  orderName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)),
  currency: v.picklist(CURRENCY_CODES),
  // At most 50 lines: a settlement transaction touches one item per seller plus bookkeeping (limit 100).
  items: v.pipe(
    v.array(v.strictObject({ sellerId: identifier, productId: identifier, amount })),
    v.minLength(1),
    v.maxLength(50),
    v.check(
      (items) => items.reduce((sum, item) => sum + item.amount, 0) <= MAX_AMOUNT,
      `the items' total must not exceed ${MAX_AMOUNT}`,
    ),
  ),
});

export const orderIdSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{6,64}$/, 'orderId must be 6-64 characters of A-Z, a-z, 0-9, _ or -'),
);

export const sellerIdSchema = identifier;

export const confirmSchema = v.strictObject({
  paymentKey: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  orderId: orderIdSchema,
  amount,
});

export const cancelSchema = v.strictObject({
  cancelReason: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200)),
  cancelAmount: v.optional(amount),
});

/** A calendar date, `YYYY-MM-DD`. */
export const isoDateSchema = v.pipe(v.string(), v.isoDate(), v.check(isCalendarDate, 'not a calendar date'));

/**
 * What the reconciliation function is invoked with: `{ "date": "YYYY-MM-DD" }` reconciles that day; a
 * scheduled event (EventBridge's `time`, the scheduled time) reconciles the day before it and catches
 * up every day left open since the last completed one. Other fields of the scheduled event are ignored.
 */
export const reconciliationEventSchema = v.looseObject({
  date: v.optional(isoDateSchema),
  time: v.optional(v.pipe(v.string(), v.isoTimestamp())),
});
export type ReconciliationEvent = v.InferOutput<typeof reconciliationEventSchema>;
