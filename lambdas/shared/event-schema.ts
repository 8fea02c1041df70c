import * as z from 'zod/mini';
import type { DomainEvent } from '../domain/events';
import { CURRENCY_CODES } from '../domain/money';

/** Payment events as they travel on the queues; a message that does not parse is poison (→ DLQ). */
const line = z.object({ sellerId: z.string(), productId: z.string(), amount: z.int().check(z.positive()) });
const base = {
  eventId: z.string(),
  orderId: z.string(),
  seq: z.int().check(z.positive()),
  occurredAt: z.string(),
  buyerId: z.string(),
  amount: z.int().check(z.positive()),
  currency: z.enum(CURRENCY_CODES),
  items: z.array(line),
};

export const domainEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('PaymentConfirmed'), paymentKey: z.string(), approvedAt: z.string() }),
  z.object({
    ...base,
    type: z.literal('PaymentFailed'),
    failure: z.object({ code: z.string(), message: z.string() }),
  }),
  z.object({
    ...base,
    type: z.literal('PaymentCanceled'),
    cancelReason: z.string(),
    balanceAmount: z.int().check(z.nonnegative()),
  }),
]);

export function parseDomainEvent(body: string): DomainEvent {
  return domainEventSchema.parse(JSON.parse(body)) as DomainEvent;
}
