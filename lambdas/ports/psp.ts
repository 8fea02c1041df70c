/** The PSP as the use cases see it. Implementations never throw for PSP outcomes: they return them. */

export interface PspCancel {
  readonly transactionKey: string;
  readonly cancelAmount: number;
  readonly canceledAt: string;
}

/** The PSP's view of one payment (amounts in minor units). */
export interface PspPayment {
  readonly paymentKey: string;
  readonly orderId: string;
  /** Toss status: READY, IN_PROGRESS, DONE, CANCELED, PARTIAL_CANCELED, ABORTED, EXPIRED, … */
  readonly status: string;
  readonly totalAmount: number;
  readonly balanceAmount: number;
  readonly approvedAt?: string;
  readonly cancels: readonly PspCancel[];
}

/** `unknown`: the outcome could not be learned in time (retries exhausted, timeouts); money may have moved. */
export type PspUnknown = { readonly kind: 'unknown'; readonly code: string; readonly message: string };

/** The PSP refused our credentials or configuration (or we have none): it did nothing. */
export type PspUnavailable = {
  readonly kind: 'unavailable';
  readonly code: string;
  readonly message: string;
};

export type PspResult =
  /** For cancel: the cancel was accepted, and `payment` is the updated payment. */
  | { readonly kind: 'approved'; readonly payment: PspPayment }
  | { readonly kind: 'declined'; readonly code: string; readonly message: string }
  /**
   * Cancel only: the PSP refused because its payment is not what we hold (already canceled, amount no
   * longer cancelable): look it up and record its cancels; this request's cancel was not made.
   */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  /** Confirm only: the PSP never knew this paymentKey for the order; nothing happened. */
  | { readonly kind: 'sessionNotFound'; readonly code: string; readonly message: string }
  | PspUnavailable
  | PspUnknown;

export type PspLookup =
  | { readonly kind: 'found'; readonly payment: PspPayment }
  | { readonly kind: 'notFound' }
  | PspUnknown;

/** The caller's time limit, e.g. the Lambda context's getRemainingTimeInMillis. */
export interface Deadline {
  remainingMs(): number;
}

export interface ConfirmRequest {
  readonly paymentKey: string;
  readonly orderId: string;
  readonly amount: number;
}

export interface CancelRequest {
  readonly paymentKey: string;
  readonly cancelReason: string;
  readonly cancelAmount: number;
  /** The balance we hold before this cancel; Toss checks it against its own. */
  readonly refundableAmount: number;
  readonly idempotencyKey: string;
}

/**
 * One settlement row: a money movement at the PSP, an approval or a cancel (negative amount, fee
 * and payout: the PSP returns its fee on a cancel).
 */
export interface PspSettlement {
  readonly orderId: string;
  readonly paymentKey: string;
  readonly transactionKey: string;
  readonly amount: number;
  /** The PSP's fee for the row, VAT included. */
  readonly fee: number;
  /** What the PSP pays out for the row: the amount less what it keeps. */
  readonly payOutAmount: number;
  readonly approvedAt?: string;
}

/** Toss serves at most this many settlement rows per page. */
export const MAX_SETTLEMENT_PAGE_SIZE = 5000;

/** Toss may take up to 60 s to answer a settlements page: a settlement call never waits less. */
export const MIN_SETTLEMENT_TIMEOUT_MS = 60_000;

/**
 * Which date of a row the query's range selects: the sale date the merchant's settlement cycle
 * assigns it (`soldDate`, Toss's default), or the day it is paid out (`paidOutDate`).
 */
export const SETTLEMENT_DATE_TYPES = ['soldDate', 'paidOutDate'] as const;
export type SettlementDateType = (typeof SETTLEMENT_DATE_TYPES)[number];

export interface SettlementQuery {
  /** Seoul dates (YYYY-MM-DD) of the rows, both inclusive. */
  readonly startDate: string;
  readonly endDate: string;
  readonly dateType: SettlementDateType;
  /** 1-based. */
  readonly page: number;
  /** 1 to MAX_SETTLEMENT_PAGE_SIZE; a shorter page is the last one. */
  readonly size: number;
}

export type PspSettlementPage =
  | { readonly kind: 'page'; readonly rows: readonly PspSettlement[] }
  | { readonly kind: 'declined'; readonly code: string; readonly message: string }
  | PspUnknown;

export interface PaymentGateway {
  /** Sent with an Idempotency-Key per (orderId, paymentKey): every confirm of one payment session is one PSP operation (Toss keeps keys 15 days). */
  confirm(request: ConfirmRequest, deadline: Deadline): Promise<PspResult>;
  cancel(request: CancelRequest, deadline: Deadline): Promise<PspResult>;
  findByOrderId(orderId: string, deadline: Deadline): Promise<PspLookup>;
}

/**
 * The PSP's settlement data, for reconciliation. Its own port (the Toss adapter implements both),
 * so payment-path fakes need not stub a read they never make.
 */
export interface SettlementGateway {
  /** One page of settlement rows, in the PSP's stable order. */
  settlements(query: SettlementQuery, deadline: Deadline): Promise<PspSettlementPage>;
}
