import { createHash, createHmac } from 'node:crypto';
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
  /** The signed caller: idempotency keys are scoped per principal. */
  readonly principal: string;
  readonly idempotencyKey: string;
  /** Hash of the canonical request body: a repeat with another body is refused. */
  readonly fingerprint: string;
  readonly request: CheckoutRequest;
}

/**
 * The order id is a pure function of the caller and its key, keyed by a server-side secret: a repeated
 * checkout is the same order for ever, yet nobody without the secret can compute another's order id.
 */
export function orderIdFor(secret: string, principal: string, idempotencyKey: string): string {
  const mac = createHmac('sha256', secret)
    .update(JSON.stringify(['checkout', principal, idempotencyKey]))
    .digest('hex');
  return `ord_${mac.slice(0, 32)}`;
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

export function checkoutUseCase(deps: {
  store: PaymentStore;
  clock: Clock;
  /** The order-id secret (Secrets Manager in AWS, the local data folder on the laptop). */
  orderIdSecret: () => Promise<string>;
}) {
  return async ({
    principal,
    idempotencyKey,
    fingerprint,
    request,
  }: CheckoutCommand): Promise<HttpOutcome> => {
    const checkout: Checkout = {
      ...request,
      orderId: orderIdFor(await deps.orderIdSecret(), principal, idempotencyKey),
      owner: principal,
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
    // Second guard, past the idempotency record's lifetime: same caller and key, same body → same order.
    return stored.fingerprint === fingerprint ? created(stored.existing) : keyReused();
  };
}
