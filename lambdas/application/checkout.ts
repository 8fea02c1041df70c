import { createHash } from 'node:crypto';
import type { Currency } from '../domain/money';
import type { Checkout, CheckoutItem, Payment } from '../domain/payment';
import { createPayment } from '../domain/payment';
import type { PaymentStore } from '../ports/payment-store';
import { type HttpOutcome, jsonOutcome, problemOutcome } from '../shared/http';
import { keyReused, TransientOutcome } from '../shared/idempotent';
import type { Clock } from './clock';

export interface CheckoutRequest {
  readonly buyerId: string;
  readonly orderName: string;
  readonly currency: Currency;
  readonly items: readonly CheckoutItem[];
}

export interface CheckoutCommand {
  readonly idempotencyKey: string;
  /** Hash of the canonical request body: a repeat with another body is refused. */
  readonly fingerprint: string;
  readonly request: CheckoutRequest;
}

/** The order id is a pure function of the client's key, so a repeated checkout is the same order. */
export function orderIdFor(idempotencyKey: string): string {
  return `ord_${createHash('sha256').update(`checkout:${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

/** Canonical JSON (sorted keys) so the fingerprint ignores key order and whitespace. */
export function fingerprintOf(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

function created(payment: Payment): HttpOutcome {
  const { orderId, orderName, amount, currency, status, createdAt } = payment;
  return jsonOutcome(201, { orderId, orderName, amount, currency, status, createdAt });
}

export function checkoutUseCase(deps: { store: PaymentStore; clock: Clock }) {
  return async ({ idempotencyKey, fingerprint, request }: CheckoutCommand): Promise<HttpOutcome> => {
    const checkout: Checkout = {
      ...request,
      orderId: orderIdFor(idempotencyKey),
      createdAt: deps.clock().toISOString(),
    };
    const result = createPayment(checkout);
    // Refusals are not remembered: a corrected request with the same key must go through.
    if (!result.ok) {
      throw new TransientOutcome(
        problemOutcome({
          status: 400,
          code: result.reason,
          title: 'Invalid checkout',
          detail: 'The items must be non-empty and their total a valid amount.',
        }),
      );
    }
    const stored = await deps.store.create(result.payment, fingerprint);
    if (stored.created) return created(result.payment);
    // Second guard, past the idempotency record's lifetime: same key, same body → same order.
    return stored.fingerprint === fingerprint ? created(stored.existing) : keyReused();
  };
}
