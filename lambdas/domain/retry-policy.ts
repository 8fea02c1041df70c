/**
 * Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base·2^attempt)]),
 * which spreads retries of many callers apart, bounded by an attempt count and a time budget.
 */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  /** The cap on the backoff window. */
  readonly maxDelayMs: number;
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  /** Least time an attempt needs to be worth starting: a retry must leave this much budget after its delay. */
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  maxAttempts: 4,
  minAttemptMs: 500,
};

export interface AttemptState {
  /** Attempts made so far (≥ 1), the one that just failed included. */
  readonly attempt: number;
  /** Time spent since the first attempt started. */
  readonly elapsedMs: number;
  /** Total time allowed for all attempts and the delays between them. */
  readonly budgetMs: number;
  /** Uniform in [0, 1), like Math.random; injected so tests are deterministic. */
  readonly random: () => number;
}

export type RetryPlan =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'MAX_ATTEMPTS' | 'BUDGET_EXHAUSTED' };

export function planNextAttempt(state: AttemptState, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPlan {
  if (state.attempt >= policy.maxAttempts) return { retry: false, reason: 'MAX_ATTEMPTS' };
  const spareMs = state.budgetMs - state.elapsedMs - policy.minAttemptMs;
  if (spareMs < 0) return { retry: false, reason: 'BUDGET_EXHAUSTED' };
  // Clamping the window to the spare time (rather than refusing) keeps a retry possible late in the budget.
  const windowMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** state.attempt, spareMs);
  return { retry: true, delayMs: Math.min(windowMs, Math.floor(state.random() * (windowMs + 1))) };
}
