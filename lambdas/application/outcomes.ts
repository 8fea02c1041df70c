import type { Payment } from '../domain/payment';
import { type HttpOutcome, jsonOutcome, problemOutcome } from '../shared/http';
import { IN_FLIGHT_RETRY_AFTER_SECONDS, keyReused, TransientOutcome } from '../shared/idempotent';

/** The HTTP answers of the payment routes, one place so confirm, cancel and recovery agree. */

export function confirmedOutcome(payment: Payment): HttpOutcome {
  const { orderId, paymentKey, amount, approvedAt } = payment;
  return jsonOutcome(200, { orderId, status: 'SUCCESS', paymentKey, amount, approvedAt });
}

/**
 * The PSP issued a virtual account: the buyer pays into it by its due date. Not stored, so a retry
 * after the deposit answers SUCCESS.
 */
export function awaitingDepositOutcome(payment: Payment): TransientOutcome {
  const { orderId, paymentKey, amount, virtualAccount } = payment;
  return new TransientOutcome(
    jsonOutcome(200, { orderId, status: 'AWAITING_DEPOSIT', paymentKey, amount, virtualAccount }),
  );
}

/**
 * A decline, as problem+json like every other error: `code` and `message` are the PSP's (or ours,
 * e.g. RECOVERY_EXHAUSTED), `orderId` names the order, `paymentStatus` is FAILURE; `status` is the
 * HTTP status (402), as RFC 9457 defines the member.
 */
export function failedOutcome(payment: Payment): HttpOutcome {
  const code = payment.failure?.code ?? 'PAYMENT_DECLINED';
  const message = payment.failure?.message ?? 'The payment provider declined the payment.';
  return problemOutcome(
    { status: 402, code, title: 'Payment declined', detail: message },
    {
      typeCode: 'PAYMENT_DECLINED',
      extensions: { orderId: payment.orderId, paymentStatus: 'FAILURE', message },
    },
  );
}

export function canceledOutcome(payment: Payment): HttpOutcome {
  const { orderId, status, balanceAmount } = payment;
  return jsonOutcome(200, { orderId, status, balanceAmount });
}

/** Not stored: a retry must run again so it can learn the outcome once recovery has. */
export function unknownOutcome(orderId: string): TransientOutcome {
  return new TransientOutcome(jsonOutcome(202, { orderId, status: 'UNKNOWN' }));
}

export function orderNotFound(orderId: string): TransientOutcome {
  return new TransientOutcome(
    problemOutcome({
      status: 404,
      code: 'ORDER_NOT_FOUND',
      title: 'Order not found',
      detail: `No order ${orderId}.`,
    }),
  );
}

export function inProgress(): TransientOutcome {
  return new TransientOutcome(
    problemOutcome(
      {
        status: 409,
        code: 'IDEMPOTENCY_IN_PROGRESS',
        title: 'Payment in progress',
        detail: 'This payment is being executed by another request; retry shortly.',
      },
      { retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS },
    ),
  );
}

export function keyReusedOutcome(): TransientOutcome {
  return new TransientOutcome(keyReused());
}

export function amountMismatch(): TransientOutcome {
  return new TransientOutcome(
    problemOutcome({
      status: 400,
      code: 'AMOUNT_MISMATCH',
      title: 'Amount mismatch',
      detail: 'The amount differs from the checkout amount; nothing was sent to the PSP.',
    }),
  );
}

/** The metric of confirms and cancels answered 503 PSP_UNAVAILABLE; an alarm watches it. */
export const PSP_UNAVAILABLE_METRIC = 'PspUnavailable';

/** The PSP refused our credentials or configuration: nothing happened, retry once an operator fixed it. */
export function pspUnavailable(): TransientOutcome {
  return new TransientOutcome(
    problemOutcome({
      status: 503,
      code: 'PSP_UNAVAILABLE',
      title: 'Payment provider unavailable',
      detail:
        'The payment provider cannot be used right now (configuration); nothing was charged. Retry later.',
    }),
  );
}

/** The PSP never knew this paymentKey for the order: nothing happened, the order stays confirmable. */
export function paymentSessionNotFound(): TransientOutcome {
  return new TransientOutcome(
    problemOutcome({
      status: 422,
      code: 'PAYMENT_SESSION_NOT_FOUND',
      title: 'Unknown paymentKey',
      detail:
        'The payment provider has no payment session for this paymentKey and order; nothing was charged.',
    }),
  );
}
