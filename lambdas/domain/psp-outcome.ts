/**
 * How to read the PSP's (Toss Payments') answers. A decline is final and safe to report as FAILURE;
 * anything that might still have moved money is retryable (same idempotency key) and ends UNKNOWN.
 */

/** One call's raw result, before interpretation. */
export type PspReply =
  | { readonly kind: 'success' }
  | { readonly kind: 'error'; readonly httpStatus: number; readonly code: string }
  /** Connection refused or reset, or no answer before the timeout. */
  | { readonly kind: 'networkError' };

/**
 * `alreadyProcessed`: the PSP has a result for this payment already; query it, then decide.
 * `unavailable`: the PSP refused our credentials or configuration, so it did not act; not a decline.
 * `sessionNotFound`: the PSP never knew that paymentKey for the order; not a decline either.
 */
export type PspOutcome =
  | 'approved'
  | 'declined'
  | 'retryable'
  | 'alreadyProcessed'
  | 'unavailable'
  | 'sessionNotFound';

/** Toss's answers to bad or missing credentials and to requests the merchant is not set up for. */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'UNAUTHORIZED_KEY',
  'INVALID_API_KEY',
  'INCORRECT_BASIC_AUTH_FORMAT',
  'FORBIDDEN_REQUEST',
]);

const UNAUTHORIZED = 401;

/** Transient by Toss's documentation although some come with a 4xx status. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'PROVIDER_ERROR',
  'CARD_PROCESSING_ERROR',
  'IDEMPOTENT_REQUEST_PROCESSING',
]);

/** FAILED_INTERNAL_SYSTEM_PROCESSING, FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING, … */
const INTERNAL_FAILURE_CODE = /^FAILED_(?:[A-Z0-9]+_)*INTERNAL_SYSTEM_PROCESSING$/;

const TOO_MANY_REQUESTS = 429;

export function classifyPspReply(reply: PspReply): PspOutcome {
  switch (reply.kind) {
    case 'success':
      return 'approved';
    case 'networkError':
      return 'retryable';
    case 'error':
      return classifyPspError(reply.httpStatus, reply.code);
  }
}

function classifyPspError(httpStatus: number, code: string): PspOutcome {
  if (code === 'ALREADY_PROCESSED_PAYMENT') return 'alreadyProcessed';
  if (code === 'NOT_FOUND_PAYMENT_SESSION') return 'sessionNotFound';
  if (httpStatus === UNAUTHORIZED || CONFIGURATION_CODES.has(code)) return 'unavailable';
  if (RETRYABLE_CODES.has(code) || INTERNAL_FAILURE_CODE.test(code)) return 'retryable';
  // A 4xx is the PSP refusing this request; 5xx, 429 and anything unexpected may be transient.
  const clientError = httpStatus >= 400 && httpStatus < 500 && httpStatus !== TOO_MANY_REQUESTS;
  return clientError ? 'declined' : 'retryable';
}

/** What a lookup by orderId says about the payment, for recovery and reconciliation. */
export type PspStatusClass = 'approved' | 'inProgress' | 'failed' | 'canceled' | 'unrecognized';

const STATUS_CLASSES: ReadonlyMap<string, PspStatusClass> = new Map<string, PspStatusClass>([
  ['DONE', 'approved'],
  ['READY', 'inProgress'],
  ['IN_PROGRESS', 'inProgress'],
  ['WAITING_FOR_DEPOSIT', 'inProgress'],
  ['ABORTED', 'failed'],
  ['EXPIRED', 'failed'],
  ['CANCELED', 'canceled'],
  ['PARTIAL_CANCELED', 'canceled'],
]);

/**
 * `status` is the Toss payment status, or undefined when the PSP has no payment for the order
 * (it never processed our confirm, so failing it is safe). An unrecognized status is left for
 * a later look rather than guessed at.
 */
export function classifyPspStatus(status: string | undefined): PspStatusClass {
  if (status === undefined) return 'failed';
  return STATUS_CLASSES.get(status) ?? 'unrecognized';
}
