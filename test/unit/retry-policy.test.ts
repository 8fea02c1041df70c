import fc from 'fast-check';
import { DEFAULT_RETRY_POLICY, planNextAttempt, type RetryPolicy } from '../../lambdas/domain/retry-policy';

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 4, minAttemptMs: 200 };
const roomy = { elapsedMs: 0, budgetMs: 60_000 };

describe('planNextAttempt', () => {
  it('draws the delay uniformly from [0, base·2^attempt]', () => {
    expect(planNextAttempt({ ...roomy, attempt: 1, random: () => 0 }, policy)).toEqual({
      retry: true,
      delayMs: 0,
    });
    expect(planNextAttempt({ ...roomy, attempt: 1, random: () => 0.5 }, policy)).toEqual({
      retry: true,
      delayMs: 100,
    });
    expect(planNextAttempt({ ...roomy, attempt: 2, random: () => 0.999_999 }, policy)).toEqual({
      retry: true,
      delayMs: 400,
    });
  });

  it('caps the window at maxDelayMs', () => {
    expect(planNextAttempt({ ...roomy, attempt: 3, random: () => 0.999_999 }, policy)).toEqual({
      retry: true,
      delayMs: 800,
    });
    const capped = { ...policy, maxAttempts: 20 };
    expect(planNextAttempt({ ...roomy, attempt: 10, random: () => 0.999_999 }, capped)).toEqual({
      retry: true,
      delayMs: 1_000,
    });
  });

  it('stops after maxAttempts attempts', () => {
    expect(planNextAttempt({ ...roomy, attempt: 4, random: () => 0 }, policy)).toEqual({
      retry: false,
      reason: 'MAX_ATTEMPTS',
    });
  });

  it('stops when no attempt fits in what is left of the budget', () => {
    expect(planNextAttempt({ attempt: 1, elapsedMs: 801, budgetMs: 1_000, random: () => 0 }, policy)).toEqual(
      {
        retry: false,
        reason: 'BUDGET_EXHAUSTED',
      },
    );
  });

  it('narrows the window to the spare time late in the budget', () => {
    expect(
      planNextAttempt({ attempt: 3, elapsedMs: 750, budgetMs: 1_000, random: () => 0.999_999 }, policy),
    ).toEqual({ retry: true, delayMs: 50 });
  });

  it('has sane defaults', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
    expect(DEFAULT_RETRY_POLICY.baseDelayMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});

describe('planNextAttempt properties', () => {
  const policies = fc.record({
    baseDelayMs: fc.integer({ min: 1, max: 1_000 }),
    maxDelayMs: fc.integer({ min: 1, max: 30_000 }),
    maxAttempts: fc.integer({ min: 1, max: 10 }),
    minAttemptMs: fc.integer({ min: 0, max: 5_000 }),
  });
  const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('keeps each delay within [0, min(cap, base·2^attempt)] and inside the budget', () => {
    fc.assert(
      fc.property(
        policies,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        random,
        (p, attempt, elapsedMs, budgetMs, r) => {
          const plan = planNextAttempt({ attempt, elapsedMs, budgetMs, random: () => r }, p);
          if (attempt >= p.maxAttempts) expect(plan).toEqual({ retry: false, reason: 'MAX_ATTEMPTS' });
          if (!plan.retry) return;
          expect(Number.isInteger(plan.delayMs)).toBe(true);
          expect(plan.delayMs).toBeGreaterThanOrEqual(0);
          expect(plan.delayMs).toBeLessThanOrEqual(Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt));
          expect(elapsedMs + plan.delayMs + p.minAttemptMs).toBeLessThanOrEqual(budgetMs);
        },
      ),
    );
  });

  it('never plans more than maxAttempts attempts or sleeps past the budget over a whole retry loop', () => {
    fc.assert(
      fc.property(
        policies,
        fc.integer({ min: 0, max: 30_000 }),
        fc.array(random, { minLength: 20, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 20, maxLength: 20 }),
        (p, budgetMs, draws, attemptDurations) => {
          let elapsedMs = 0;
          let attempt = 1;
          for (;;) {
            elapsedMs += Math.min(attemptDurations[attempt - 1] ?? 0, Math.max(0, budgetMs - elapsedMs));
            const plan = planNextAttempt(
              { attempt, elapsedMs, budgetMs, random: () => draws[attempt] ?? 0 },
              p,
            );
            if (!plan.retry) break;
            elapsedMs += plan.delayMs;
            expect(elapsedMs + p.minAttemptMs).toBeLessThanOrEqual(budgetMs);
            attempt += 1;
          }
          expect(attempt).toBeLessThanOrEqual(Math.max(1, p.maxAttempts));
        },
      ),
    );
  });
});
