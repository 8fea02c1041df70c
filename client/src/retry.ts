/** When and how long to wait before another attempt of the same request. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retry). Default 5. */
  readonly maxAttempts: number;
  /** The backoff's first ceiling; doubles per attempt. Default 200 ms. */
  readonly baseDelayMs: number;
  /** The backoff's largest ceiling, and the most a Retry-After is honoured for. Default 10 s. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * Answers worth another attempt with the same Idempotency-Key: the same operation still in flight
 * (409 IDEMPOTENCY_IN_PROGRESS), throttling (429) and a service unavailable for now (503).
 */
export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  return status === 429 || status === 503 || (status === 409 && code === 'IDEMPOTENCY_IN_PROGRESS');
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): what the server asked for when it
 * said (capped), else exponential backoff with full jitter, so clients that failed together spread out.
 */
export function delayBeforeRetry(
  policy: RetryPolicy,
  attempt: number,
  serverAskedMs: number | undefined,
  random: () => number,
): number {
  if (serverAskedMs !== undefined) return Math.min(serverAskedMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
