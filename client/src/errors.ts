/** An answer the API gave that is neither a success nor a documented outcome: its problem+json, typed. */
export class PaymentsApiError extends Error {
  override readonly name = 'PaymentsApiError';

  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The problem's stable machine code (`HTTP_<status>` when the body was not problem+json). */
    readonly code: string,
    /** The problem's human explanation of this occurrence. */
    readonly detail: string,
    readonly title: string,
    readonly type: string,
    /** The raw body, for logs. */
    readonly body: string,
    /** Seconds the server asked to wait (Retry-After), if it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

/** The request never got an answer (connection refused or reset, or the attempt timed out), after every retry. */
export class PaymentsNetworkError extends Error {
  override readonly name = 'PaymentsNetworkError';

  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** `waitUntilSettled` ran out of time; `last` is the payment as last seen. */
export class SettlementTimeoutError extends Error {
  override readonly name = 'SettlementTimeoutError';

  constructor(
    readonly orderId: string,
    readonly last: unknown,
  ) {
    super(`payment ${orderId} was not settled in time`);
  }
}
