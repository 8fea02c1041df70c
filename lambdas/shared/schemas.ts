import * as z from 'zod/mini';
import { CURRENCY_CODES, MAX_AMOUNT } from '../domain/money';

/**
 * Request bodies and path parameters of the HTTP contract. Unknown fields are refused so typos
 * surface as 400s. Ids end up in DynamoDB keys (partition key at most 2048 bytes, sort key 1024):
 * the length caps below keep every key far inside those limits, so an oversized id is a 400 here
 * and never a DynamoDB ValidationException (a 5xx) in AWS or locally.
 */

const identifier = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9_.:-]+$/, 'use 1-64 characters of A-Z, a-z, 0-9, _ . : -'),
  );
const amount = z.int().check(z.positive(), z.maximum(MAX_AMOUNT));

export const checkoutSchema = z.strictObject({
  buyerId: identifier,
  orderName: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  currency: z.enum(CURRENCY_CODES),
  // At most 50 lines: a settlement transaction touches one item per seller plus bookkeeping (limit 100).
  items: z.array(z.strictObject({ sellerId: identifier, productId: identifier, amount })).check(
    z.minLength(1),
    z.maxLength(50),
    z.refine((items) => items.reduce((sum, item) => sum + item.amount, 0) <= MAX_AMOUNT, {
      message: `the items' total must not exceed ${MAX_AMOUNT}`,
    }),
  ),
});

export const orderIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, 'orderId must be 6-64 characters of A-Z, a-z, 0-9, _ or -'));

export const sellerIdSchema = identifier;

export const confirmSchema = z.strictObject({
  paymentKey: z.string().check(z.minLength(1), z.maxLength(200)),
  orderId: orderIdSchema,
  amount,
});

export const cancelSchema = z.strictObject({
  cancelReason: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  cancelAmount: z.optional(amount),
});

/**
 * What the reconciliation function is invoked with: `{ "date": "YYYY-MM-DD" }` reconciles that day; a
 * scheduled event (EventBridge's `time`, the scheduled time) reconciles the day before it and catches
 * up every day left open since the last completed one. Other fields of the scheduled event are ignored.
 */
export const reconciliationEventSchema = z.looseObject({
  date: z.optional(z.iso.date()),
  time: z.optional(z.iso.datetime()),
});
export type ReconciliationEvent = z.infer<typeof reconciliationEventSchema>;
