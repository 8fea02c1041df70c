import * as v from 'valibot';
import type { DomainEvent } from '../domain/events';
import { CURRENCY_CODES } from '../domain/money';

/** Payment events as they travel on the queues; a message that does not parse is poison (→ DLQ). */
const positiveInt = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const line = v.object({ sellerId: v.string(), productId: v.string(), amount: positiveInt });
const base = {
  eventId: v.string(),
  orderId: v.string(),
  seq: positiveInt,
  occurredAt: v.string(),
  buyerId: v.string(),
  amount: positiveInt,
  currency: v.picklist(CURRENCY_CODES),
  items: v.array(line),
};

export const domainEventSchema = v.variant('type', [
  v.object({ ...base, type: v.literal('PaymentConfirmed'), paymentKey: v.string(), approvedAt: v.string() }),
  v.object({
    ...base,
    type: v.literal('PaymentFailed'),
    failure: v.object({ code: v.string(), message: v.string() }),
  }),
  v.object({
    ...base,
    type: v.literal('PaymentCanceled'),
    cancelReason: v.string(),
    balanceAmount: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  }),
  v.object({ ...base, type: v.literal('PaymentDepositReversed') }),
]);

/** Throws SyntaxError for a body that is not JSON, ValiError for one that is not an event. */
export function parseDomainEvent(body: string): DomainEvent {
  return v.parse(domainEventSchema, JSON.parse(body)) as DomainEvent;
}
