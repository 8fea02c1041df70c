import type { Reply } from './http';

interface ErrorSpec {
  status: number;
  message: string;
}

/**
 * The one table of Toss error codes the simulator knows, with the HTTP status Toss answers
 * them with. Any other well-formed code (forced by a test) is answered with 400.
 */
const TOSS_ERRORS: Record<string, ErrorSpec> = {
  INVALID_REQUEST: { status: 400, message: 'The request is invalid.' },
  ALREADY_PROCESSED_PAYMENT: { status: 400, message: 'The payment has already been processed.' },
  DUPLICATED_ORDER_ID: { status: 400, message: 'The orderId was already used by a processed payment.' },
  PROVIDER_ERROR: { status: 400, message: 'A temporary error occurred. Please try again.' },
  CARD_PROCESSING_ERROR: { status: 400, message: 'The card company could not process the payment.' },
  INVALID_CARD_NUMBER: { status: 400, message: 'The card number is invalid.' },
  EXCEED_MAX_DAILY_PAYMENT_COUNT: { status: 400, message: 'The daily payment count limit was exceeded.' },
  NOT_CANCELABLE_AMOUNT: { status: 403, message: 'The cancel amount exceeds the cancelable balance.' },
  NOT_CANCELABLE_PAYMENT: { status: 403, message: 'The payment cannot be canceled.' },
  ALREADY_CANCELED_PAYMENT: { status: 400, message: 'The payment has already been canceled.' },
  NOT_MATCHES_REFUNDABLE_AMOUNT: { status: 400, message: 'refundableAmount does not match the balance.' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, message: 'The Idempotency-Key is invalid.' },
  FORBIDDEN_CONSECUTIVE_REQUEST: { status: 403, message: 'Repeated requests are not allowed; retry later.' },
  UNAUTHORIZED_KEY: { status: 401, message: 'The secret key is not authorized.' },
  REJECT_CARD_PAYMENT: { status: 403, message: 'The card payment was rejected.' },
  REJECT_CARD_COMPANY: { status: 403, message: 'The card company rejected the payment.' },
  NOT_FOUND_PAYMENT: { status: 404, message: 'The payment does not exist.' },
  NOT_FOUND_PAYMENT_SESSION: { status: 404, message: 'The payment session does not exist or has expired.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  IDEMPOTENT_REQUEST_PROCESSING: { status: 409, message: 'A previous request is still being processed.' },
  FAILED_INTERNAL_SYSTEM_PROCESSING: { status: 500, message: 'An internal error occurred.' },
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: {
    status: 500,
    message: 'The payment failed on an internal error.',
  },
};

/**
 * Answers Toss asks to be retried: not kept for the idempotency key, so a retry with the same key runs
 * again. Every other error is the first answer for its key and is replayed like an approval.
 */
const TEMPORARY_CODES: ReadonlySet<string> = new Set([
  'PROVIDER_ERROR',
  'CARD_PROCESSING_ERROR',
  'FORBIDDEN_CONSECUTIVE_REQUEST',
  'IDEMPOTENT_REQUEST_PROCESSING',
  // Toss scopes a key by the secret key too: what a refused secret key was told is not the key's answer.
  'UNAUTHORIZED_KEY',
  'INVALID_API_KEY',
  'INCORRECT_BASIC_AUTH_FORMAT',
]);

/** What a Toss error code looks like; forced codes must match it. */
export const TOSS_CODE = /^[A-Z][A-Z0-9_]{0,99}$/;

/** A Toss-shaped error. Thrown, it is answered as `{ code, message }`; stored for the key unless temporary. */
export class TossError extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? TOSS_ERRORS[code]?.message ?? `Simulated error ${code}.`);
    this.name = 'TossError';
    this.status = TOSS_ERRORS[code]?.status ?? 400;
  }

  /** Kept as the key's answer, as Toss replays a request's first answer, errors included. */
  get stored(): boolean {
    return this.status < 500 && !TEMPORARY_CODES.has(this.code);
  }

  toReply(): Reply {
    return { status: this.status, body: JSON.stringify({ code: this.code, message: this.message }) };
  }
}
