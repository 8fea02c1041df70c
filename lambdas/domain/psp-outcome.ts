/**
 * How to read the PSP's (Toss Payments') answers. Only a refusal Toss documents as one is final:
 * every other answer, including codes we do not know and pages that are not Toss's at all (a proxy's
 * HTML 403), is either retried with the same idempotency key or settled by asking the PSP what it
 * holds. A payment is never burned, and a refund never forgotten, on an answer we cannot read.
 */

/** The calls whose answers are classified; each has its own section in Toss's error reference. */
export type PspOperation = 'confirm' | 'cancel' | 'lookup';

/** One call's raw result, before interpretation. */
export type PspReply =
  | { readonly kind: 'success' }
  /** `code` is undefined when the body is not Toss's `{ code, message }` (a proxy's page, nothing). */
  | { readonly kind: 'error'; readonly httpStatus: number; readonly code: string | undefined }
  /** Connection refused or reset, or no answer before the timeout. */
  | { readonly kind: 'networkError' };

/**
 * `declined`: a refusal Toss documents; the PSP did nothing, and nothing will change on a retry.
 * `retryable`: transient; the same request again (same idempotency key).
 * `conflict`: the PSP refused because its payment is not what we hold (already processed, already
 *   canceled, amount no longer cancelable): look the payment up and take its word.
 * `lookUp`: the answer proves nothing (unknown code, malformed request, not Toss's body): look the
 *   payment up; if that cannot decide, the outcome is unknown and nothing is final.
 * `unavailable`: the PSP refused our credentials or configuration, so it did not act; not a decline.
 * `sessionNotFound`: confirm only; the PSP never knew that paymentKey for the order.
 * `notFound`: lookup only; Toss's own word that it has no such payment.
 */
export type PspOutcome =
  | 'approved'
  | 'declined'
  | 'retryable'
  | 'conflict'
  | 'lookUp'
  | 'unavailable'
  | 'sessionNotFound'
  | 'notFound';

/** One documented answer: Toss's code, the status it comes with, and what we make of it. */
export interface TossAnswer {
  readonly operation: PspOperation | 'any';
  readonly httpStatus: number;
  readonly code: string;
  readonly outcome: Exclude<PspOutcome, 'approved'>;
  /** Where Toss documents it (page and section). */
  readonly source: string;
}

const ERRORS_CONFIRM = 'reference/error-codes § 결제 승인 (confirm)';
const ERRORS_CANCEL = 'reference/error-codes § 결제 취소 (cancel)';
const ERRORS_LOOKUP = 'reference/error-codes § 결제 조회 (lookup)';
const ERRORS_BILLING = 'reference/error-codes § 카드 자동결제 승인 (same meaning on confirm)';
const IDEMPOTENCY = 'guides/using-api/idempotency-key';
const CONSECUTIVE = 'reference/error-codes § 결제 취소, § 결제 조회 (any call: retried later)';

const row = (
  operation: TossAnswer['operation'],
  httpStatus: number,
  code: string,
  outcome: TossAnswer['outcome'],
  source: string,
): TossAnswer => ({ operation, httpStatus, code, outcome, source });

/**
 * Every answer Toss documents for confirm, cancel and lookup (docs.tosspayments.com), with our
 * classification. `declined` appears only where Toss documents a refusal of the buyer's payment
 * (card, issuer, account, limits, fraud screening, amount, time of day) or of the refund itself.
 * Codes about our own setup (terminal id, sub-mall, business number) are `unavailable`: the
 * buyer did nothing wrong and an operator must fix it.
 */
export const TOSS_ANSWERS: readonly TossAnswer[] = [
  // Confirm: POST /v1/payments/confirm
  row('confirm', 400, 'ALREADY_PROCESSED_PAYMENT', 'conflict', ERRORS_CONFIRM),
  row('confirm', 400, 'PROVIDER_ERROR', 'retryable', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_CARD_INSTALLMENT_PLAN', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_REQUEST', 'lookUp', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_ALLOWED_POINT_USE', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_API_KEY', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_REJECT_CARD', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'BELOW_MINIMUM_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_CARD_EXPIRATION', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_STOPPED_CARD', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_DAILY_PAYMENT_COUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_CARD_INSTALLMENT_PLAN', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_PAYMENT_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_FOUND_TERMINAL_ID', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_AUTHORIZE_AUTH', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_CARD_LOST_OR_STOLEN', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'RESTRICTED_TRANSFER_ACCOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_CARD_NUMBER', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_UNREGISTERED_SUBMALL', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_REGISTERED_BUSINESS', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'CARD_PROCESSING_ERROR', 'retryable', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'INVALID_ACCOUNT_INFO_RE_REGISTER', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'NOT_AVAILABLE_PAYMENT', 'declined', ERRORS_CONFIRM),
  row('confirm', 400, 'UNAPPROVED_ORDER_ID', 'lookUp', ERRORS_CONFIRM),
  row('confirm', 400, 'EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 401, 'UNAUTHORIZED_KEY', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 403, 'REJECT_ACCOUNT_PAYMENT', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'REJECT_CARD_PAYMENT', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'REJECT_CARD_COMPANY', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'FORBIDDEN_REQUEST', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 403, 'REJECT_TOSSPAY_INVALID_ACCOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'EXCEED_MAX_AUTH_COUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'EXCEED_MAX_ONE_DAY_AMOUNT', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'NOT_AVAILABLE_BANK', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'INVALID_PASSWORD', 'declined', ERRORS_CONFIRM),
  row('confirm', 403, 'INCORRECT_BASIC_AUTH_FORMAT', 'unavailable', ERRORS_CONFIRM),
  row('confirm', 403, 'FDS_ERROR', 'declined', ERRORS_CONFIRM),
  row('confirm', 404, 'NOT_FOUND_PAYMENT', 'lookUp', ERRORS_CONFIRM),
  row('confirm', 404, 'NOT_FOUND_PAYMENT_SESSION', 'sessionNotFound', ERRORS_CONFIRM),
  row('confirm', 500, 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 'retryable', ERRORS_CONFIRM),
  row('confirm', 500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'retryable', ERRORS_CONFIRM),
  row('confirm', 500, 'UNKNOWN_PAYMENT_ERROR', 'retryable', ERRORS_CONFIRM),
  row('confirm', 400, 'ALREADY_COMPLETED_PAYMENT', 'conflict', ERRORS_CONFIRM),
  row('confirm', 400, 'DUPLICATED_ORDER_ID', 'conflict', ERRORS_BILLING),

  // Cancel: POST /v1/payments/{paymentKey}/cancel
  row('cancel', 400, 'ALREADY_CANCELED_PAYMENT', 'conflict', ERRORS_CANCEL),
  row('cancel', 400, 'INVALID_REFUND_ACCOUNT_INFO', 'declined', ERRORS_CANCEL),
  row('cancel', 400, 'EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT', 'declined', ERRORS_CANCEL),
  row('cancel', 400, 'INVALID_REQUEST', 'lookUp', ERRORS_CANCEL),
  row('cancel', 400, 'INVALID_REFUND_ACCOUNT_NUMBER', 'declined', ERRORS_CANCEL),
  row('cancel', 400, 'INVALID_BANK', 'declined', ERRORS_CANCEL),
  row('cancel', 400, 'NOT_MATCHES_REFUNDABLE_AMOUNT', 'conflict', ERRORS_CANCEL),
  row('cancel', 400, 'PROVIDER_ERROR', 'retryable', ERRORS_CANCEL),
  row('cancel', 400, 'REFUND_REJECTED', 'declined', ERRORS_CANCEL),
  row('cancel', 400, 'ALREADY_REFUND_PAYMENT', 'conflict', ERRORS_CANCEL),
  row('cancel', 400, 'FORBIDDEN_BANK_REFUND_REQUEST', 'declined', ERRORS_CANCEL),
  row('cancel', 401, 'UNAUTHORIZED_KEY', 'unavailable', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_CANCELABLE_AMOUNT', 'conflict', ERRORS_CANCEL),
  row('cancel', 403, 'FORBIDDEN_CONSECUTIVE_REQUEST', 'retryable', ERRORS_CANCEL),
  row('cancel', 403, 'FORBIDDEN_REQUEST', 'unavailable', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_CANCELABLE_PAYMENT', 'conflict', ERRORS_CANCEL),
  row('cancel', 403, 'EXCEED_MAX_REFUND_DUE', 'declined', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT', 'declined', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_ALLOWED_PARTIAL_REFUND', 'declined', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_AVAILABLE_BANK', 'declined', ERRORS_CANCEL),
  row('cancel', 403, 'INCORRECT_BASIC_AUTH_FORMAT', 'unavailable', ERRORS_CANCEL),
  row('cancel', 403, 'NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER', 'declined', ERRORS_CANCEL),
  row('cancel', 404, 'NOT_FOUND_PAYMENT', 'lookUp', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'retryable', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_REFUND_PROCESS', 'retryable', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_METHOD_HANDLING_CANCEL', 'retryable', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_PARTIAL_REFUND', 'retryable', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 'retryable', ERRORS_CANCEL),
  row('cancel', 500, 'FAILED_CLOSED_ACCOUNT_REFUND', 'retryable', ERRORS_CANCEL),

  // Lookup: GET /v1/payments/orders/{orderId}
  row('lookup', 400, 'NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT', 'lookUp', ERRORS_LOOKUP),
  row('lookup', 401, 'UNAUTHORIZED_KEY', 'unavailable', ERRORS_LOOKUP),
  row('lookup', 403, 'FORBIDDEN_CONSECUTIVE_REQUEST', 'retryable', ERRORS_LOOKUP),
  row('lookup', 403, 'INCORRECT_BASIC_AUTH_FORMAT', 'unavailable', ERRORS_LOOKUP),
  row('lookup', 404, 'NOT_FOUND_PAYMENT', 'notFound', ERRORS_LOOKUP),
  row('lookup', 404, 'NOT_FOUND', 'lookUp', ERRORS_LOOKUP),
  row('lookup', 500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'retryable', ERRORS_LOOKUP),

  // Any call with an Idempotency-Key, and rate limiting
  row('any', 409, 'IDEMPOTENT_REQUEST_PROCESSING', 'retryable', IDEMPOTENCY),
  row('any', 400, 'INVALID_IDEMPOTENCY_KEY', 'unavailable', IDEMPOTENCY),
  row('any', 403, 'FORBIDDEN_CONSECUTIVE_REQUEST', 'retryable', CONSECUTIVE),
];

const BY_OPERATION_AND_CODE: ReadonlyMap<string, TossAnswer['outcome']> = new Map(
  TOSS_ANSWERS.map((answer) => [`${answer.operation} ${answer.code}`, answer.outcome]),
);

/** FAILED_INTERNAL_SYSTEM_PROCESSING, FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING, … */
const INTERNAL_FAILURE_CODE = /^FAILED_(?:[A-Z0-9]+_)*INTERNAL_SYSTEM_PROCESSING$/;

const UNAUTHORIZED = 401;
const REQUEST_TIMEOUT = 408;
const TOO_MANY_REQUESTS = 429;

export function classifyPspReply(operation: PspOperation, reply: PspReply): PspOutcome {
  switch (reply.kind) {
    case 'success':
      return 'approved';
    case 'networkError':
      return 'retryable';
    case 'error':
      return classifyPspError(operation, reply.httpStatus, reply.code);
  }
}

function classifyPspError(operation: PspOperation, httpStatus: number, code: string | undefined): PspOutcome {
  const transientStatus =
    httpStatus >= 500 || httpStatus === TOO_MANY_REQUESTS || httpStatus === REQUEST_TIMEOUT;
  // Not Toss's answer (a proxy, a load balancer): it says nothing about the payment.
  if (code === undefined) return transientStatus ? 'retryable' : 'lookUp';
  const documented =
    BY_OPERATION_AND_CODE.get(`${operation} ${code}`) ?? BY_OPERATION_AND_CODE.get(`any ${code}`);
  if (documented !== undefined) return documented;
  if (INTERNAL_FAILURE_CODE.test(code) || transientStatus) return 'retryable';
  if (httpStatus === UNAUTHORIZED) return 'unavailable';
  // An undocumented code is never a decline: the PSP's record of the payment decides.
  return 'lookUp';
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
