/**
 * Recovery of stuck payments (DESIGN §8): what each PSP answer means, the growing jittered
 * gaps between looks, and the scheduled run composed with an in-memory PaymentStore that
 * keeps the DynamoDB adapter's conditions (lease, due time, optimistic version).
 */
import fc from 'fast-check';
import { recoveryRunUseCase } from '../../lambdas/application/recovery';
import type { DomainEvent } from '../../lambdas/domain/events';
import { createPayment, type Payment } from '../../lambdas/domain/payment';
import {
  DEFAULT_RECOVERY_POLICY,
  type PspOrderView,
  RECOVERY_EXHAUSTED,
  type RecoveryPolicy,
  recoveryAction,
  recoveryDelayMs,
} from '../../lambdas/domain/recovery';
import type {
  BeginExecutionResult,
  CreateResult,
  HintRecorded,
  LookEnd,
  PaymentStore,
  PaymentView,
  RecoveryCandidate,
  SaveOptions,
  SyncClaim,
} from '../../lambdas/ports/payment-store';
import type {
  ConfirmRequest,
  Deadline,
  PaymentGateway,
  PspLookup,
  PspPayment,
  PspResult,
} from '../../lambdas/ports/psp';
import { accepted, checkout, PAYMENT_KEY, paymentIn } from './payment-fixtures';

const T0 = Date.parse('2024-02-13T03:00:00.000Z');
const ROOMY: Deadline = { remainingMs: () => 60_000 };
const LEASE_MS = 30_000;

function pspPayment(payment: Payment, status: string, overrides: Partial<PspPayment> = {}): PspPayment {
  return {
    paymentKey: payment.paymentKey ?? PAYMENT_KEY,
    orderId: payment.orderId,
    status,
    totalAmount: payment.amount,
    balanceAmount: payment.amount,
    approvedAt: '2024-02-13T12:00:00+09:00',
    cancels: [],
    ...overrides,
  };
}

function found(status: string): PspOrderView {
  return { kind: 'found', payment: { status } };
}

describe('recoveryAction', () => {
  it.each([
    ['DONE', { kind: 'approve' }],
    // Approved, then canceled at the PSP: the approval is still ours to record.
    ['CANCELED', { kind: 'approve' }],
    ['PARTIAL_CANCELED', { kind: 'approve' }],
    ['IN_PROGRESS', { kind: 'reconfirm' }],
    ['READY', { kind: 'reconfirm' }],
    ['WAITING_FOR_DEPOSIT', { kind: 'reconfirm' }],
    ['ABORTED', { kind: 'fail', code: 'PSP_ABORTED', message: expect.any(String) }],
    ['EXPIRED', { kind: 'fail', code: 'PSP_EXPIRED', message: expect.any(String) }],
    // Never guessed at: looked at again later.
    ['SOMETHING_NEW', { kind: 'retry' }],
    ['done', { kind: 'retry' }],
    ['', { kind: 'retry' }],
  ])('a PSP payment %p → %p', (status, action) => {
    expect(recoveryAction(found(status))).toEqual(action);
  });

  it('an order the PSP has never seen is reopened (confirmable), never failed', () => {
    expect(recoveryAction({ kind: 'notFound' })).toEqual({ kind: 'reopen' });
  });

  it('a PSP that could not be asked means look again later', () => {
    expect(recoveryAction({ kind: 'unknown' })).toEqual({ kind: 'retry' });
  });
});

describe('recoveryDelayMs', () => {
  const policy: RecoveryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 10 };
  const windowOf = (attempt: number, p: RecoveryPolicy = policy) =>
    Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  const ALMOST_ONE = 1 - Number.EPSILON;

  it('draws from [window/2, window] where the window doubles from the base', () => {
    expect(recoveryDelayMs(0, () => 0, policy)).toBe(500);
    expect(recoveryDelayMs(0, () => ALMOST_ONE, policy)).toBe(1_000);
    expect(recoveryDelayMs(1, () => 0, policy)).toBe(1_000);
    expect(recoveryDelayMs(1, () => 0.5, policy)).toBe(1_500);
    expect(recoveryDelayMs(3, () => 0, policy)).toBe(4_000);
    expect(recoveryDelayMs(3, () => ALMOST_ONE, policy)).toBe(8_000);
  });

  it('the expected gap doubles with every attempt until the cap, then stays there', () => {
    // Equal jitter: the mean of a uniform draw is 3/4 of the window.
    const expected = (attempt: number) => recoveryDelayMs(attempt, () => 0.5, policy);
    const gaps = Array.from({ length: 10 }, (_, attempt) => expected(attempt));
    expect(gaps).toEqual([750, 1_500, 3_000, 6_000, 12_000, 24_000, 45_000, 45_000, 45_000, 45_000]);
    for (let attempt = 1; attempt < 6; attempt++) {
      expect(expected(attempt)).toBe(2 * expected(attempt - 1));
    }
  });

  it('never exceeds the cap, even after very many attempts', () => {
    expect(recoveryDelayMs(2_000, () => ALMOST_ONE, policy)).toBe(60_000);
    expect(recoveryDelayMs(2_000, () => 0, policy)).toBe(30_000);
    expect(recoveryDelayMs(60, () => 0.5)).toBeLessThanOrEqual(DEFAULT_RECOVERY_POLICY.maxDelayMs);
  });

  const policies = fc
    .record({
      baseDelayMs: fc.integer({ min: 1, max: 120_000 }),
      capFactor: fc.integer({ min: 1, max: 4_096 }),
      maxAttempts: fc.integer({ min: 1, max: 30 }),
    })
    .map(({ baseDelayMs, capFactor, maxAttempts }) => ({
      baseDelayMs,
      maxDelayMs: baseDelayMs * capFactor,
      maxAttempts,
    }));
  const draw = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('property: every gap lies within [window/2, window] of its attempt', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 64 }), draw, (p, attempt, r) => {
        const gap = recoveryDelayMs(attempt, () => r, p);
        const window = windowOf(attempt, p);
        expect(Number.isInteger(gap)).toBe(true);
        expect(gap).toBeGreaterThanOrEqual(window / 2);
        expect(gap).toBeLessThanOrEqual(window);
      }),
    );
  });

  it('property: gaps never shrink from one attempt to the next, whatever the draws', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 40 }), draw, draw, (p, attempt, r1, r2) => {
        const uncapped = windowOf(attempt + 1, p) === 2 * windowOf(attempt, p);
        const lower = (a: number) => recoveryDelayMs(a, () => 0, p);
        const upper = (a: number) => recoveryDelayMs(a, () => ALMOST_ONE, p);
        // Both ends of the range grow (or stay at the cap)…
        expect(lower(attempt + 1)).toBeGreaterThanOrEqual(lower(attempt));
        expect(upper(attempt + 1)).toBeGreaterThanOrEqual(upper(attempt));
        // …and below the cap the next gap is never shorter than any previous one.
        if (uncapped) {
          expect(recoveryDelayMs(attempt + 1, () => r2, p)).toBeGreaterThanOrEqual(
            recoveryDelayMs(attempt, () => r1, p),
          );
        }
      }),
    );
  });
});

/** A stored payment row as the DynamoDB adapter keeps it (recovery keys and lease included). */
interface Row {
  payment: Payment;
  attempts: number;
  answered?: number;
  dueAt?: string;
  leaseOwner?: string;
  leaseUntil?: string;
  readonly events: DomainEvent[];
}

/** The PaymentStore port in memory, with the same conditions as lambdas/adapters/dynamodb/payment-store.ts. */
class InMemoryPaymentStore implements PaymentStore {
  readonly rows = new Map<string, Row>();
  /** Every write of a next due time, by either path (reschedule, or save of EXECUTING → UNKNOWN). */
  readonly scheduled: { orderId: string; attempts: number; dueAt: string }[] = [];
  readonly calls: string[] = [];

  put(payment: Payment, dueAt: string, extra: Partial<Row> = {}): void {
    this.rows.set(payment.orderId, { payment, attempts: 0, dueAt, events: [], ...extra });
  }

  row(orderId: string): Row {
    const row = this.rows.get(orderId);
    if (!row) throw new Error(`no payment ${orderId}`);
    return row;
  }

  async create(): Promise<CreateResult> {
    throw new Error('not used by recovery');
  }

  async get(orderId: string): Promise<Payment | undefined> {
    return this.rows.get(orderId)?.payment;
  }

  async view(): Promise<PaymentView | undefined> {
    throw new Error('not used by recovery');
  }

  async beginExecution(): Promise<BeginExecutionResult> {
    throw new Error('not used by recovery');
  }

  async save(previous: Payment, next: Payment, options: SaveOptions = {}): Promise<boolean> {
    this.calls.push(`save:${next.orderId}`);
    const row = this.rows.get(next.orderId);
    if (!row || row.payment.version !== previous.version) return false;
    const recovering = next.status === 'EXECUTING' || next.status === 'UNKNOWN';
    if (recovering) {
      if (!options.recoveryDueAt) throw new Error(`recoveryDueAt is required for ${next.status}`);
      row.dueAt = options.recoveryDueAt;
      if (options.recoveryAttempts !== undefined) row.attempts = options.recoveryAttempts;
      if (options.recoveryAnswered !== undefined) row.answered = options.recoveryAnswered;
      this.scheduled.push({ orderId: next.orderId, attempts: row.attempts, dueAt: row.dueAt });
    } else {
      row.dueAt = undefined;
    }
    row.leaseOwner = undefined;
    row.leaseUntil = undefined;
    row.payment = next;
    if (options.event) row.events.push(options.event);
    return true;
  }

  async findDueForRecovery(now: string, limit: number): Promise<string[]> {
    this.calls.push('findDue');
    return [...this.rows.values()]
      .filter((row) => row.dueAt !== undefined && row.dueAt <= now)
      .sort((a, b) => String(a.dueAt).localeCompare(String(b.dueAt)))
      .slice(0, limit)
      .map((row) => row.payment.orderId);
  }

  async claimForRecovery(
    orderId: string,
    lease: { now: string; until: string; owner: string },
  ): Promise<RecoveryCandidate | undefined> {
    this.calls.push(`claim:${orderId}`);
    const row = this.rows.get(orderId);
    const claimable =
      row !== undefined &&
      (row.payment.status === 'EXECUTING' || row.payment.status === 'UNKNOWN') &&
      row.dueAt !== undefined &&
      row.dueAt <= lease.now &&
      (row.leaseUntil === undefined || row.leaseUntil < lease.now);
    if (!claimable) return undefined;
    row.leaseOwner = lease.owner;
    row.leaseUntil = lease.until;
    return { payment: row.payment, attempts: row.attempts, answered: row.answered };
  }

  async claimForSync(): Promise<SyncClaim> {
    throw new Error('not used by recovery');
  }

  async recordHint(): Promise<HintRecorded> {
    throw new Error('not used by recovery');
  }

  /** No webhooks here, so never hinted: the look's lease ends. */
  async endLook(orderId: string, look: { owner: string }): Promise<LookEnd> {
    const row = this.rows.get(orderId);
    if (row?.leaseOwner === look.owner) {
      row.leaseOwner = undefined;
      row.leaseUntil = undefined;
    }
    return 'done';
  }

  async reschedule(payment: Payment, attempts: number, dueAt: string, answered = 0): Promise<boolean> {
    this.calls.push(`reschedule:${payment.orderId}`);
    const row = this.rows.get(payment.orderId);
    if (!row || row.payment.version !== payment.version) return false;
    row.attempts = attempts;
    row.answered = answered;
    row.dueAt = dueAt;
    row.leaseOwner = undefined;
    row.leaseUntil = undefined;
    this.scheduled.push({ orderId: payment.orderId, attempts, dueAt });
    return true;
  }
}

/** A PSP whose answers the test chooses; it records every call. */
class FakePsp implements PaymentGateway {
  readonly lookups: string[] = [];
  readonly confirms: ConfirmRequest[] = [];

  constructor(
    private readonly lookup: (orderId: string) => PspLookup,
    private readonly confirmResult: (request: ConfirmRequest) => PspResult = () => {
      throw new Error('confirm was not expected');
    },
  ) {}

  async confirm(request: ConfirmRequest): Promise<PspResult> {
    this.confirms.push(request);
    return this.confirmResult(request);
  }

  async cancel(): Promise<PspResult> {
    throw new Error('recovery never cancels');
  }

  async findByOrderId(orderId: string): Promise<PspLookup> {
    this.lookups.push(orderId);
    return this.lookup(orderId);
  }
}

const UNREACHABLE: PspLookup = { kind: 'unknown', code: 'TIMEOUT', message: 'no answer' };

/** A clock the test moves; a deterministic, spread-out sequence of jitter draws. */
function harness(store: InMemoryPaymentStore, psp: PaymentGateway, policy: RecoveryPolicy) {
  let now = T0;
  const draws = [0, 0.999_999, 0.5, 0.25, 0.75, 0.1, 0.9];
  let drawn = 0;
  const run = recoveryRunUseCase({
    store,
    psp,
    clock: () => new Date(now),
    random: () => draws[drawn++ % draws.length] ?? 0,
    policy,
    leaseMs: LEASE_MS,
    owner: 'run-under-test',
  });
  return {
    run: (deadline: Deadline = ROOMY) => run(deadline, 100),
    now: () => now,
    setNow: (at: number) => {
      now = at;
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('recoveryRunUseCase', () => {
  it('ends in FAILURE RECOVERY_EXHAUSTED after maxAttempts inconclusive PSP answers, with growing jittered gaps', async () => {
    const policy: RecoveryPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000_000, maxAttempts: 6 };
    const store = new InMemoryPaymentStore();
    const stuck = paymentIn('UNKNOWN');
    // The PSP answers every look, with a status nobody can act on.
    const psp = new FakePsp(() => ({ kind: 'found', payment: pspPayment(stuck, 'SOMETHING_NEW') }));
    store.put(stuck, iso(T0));
    const h = harness(store, psp, policy);

    const outcomes: string[] = [];
    const gaps: number[] = [];
    for (let run = 0; run < policy.maxAttempts + 2; run++) {
      const before = store.scheduled.length;
      const report = await h.run();
      if (report.examined === 0) break;
      outcomes.push(...Object.entries(report.outcomes).flatMap(([o, n]) => Array(n).fill(o)));
      const scheduled = store.scheduled[before];
      if (scheduled) {
        gaps.push(Date.parse(scheduled.dueAt) - h.now());
        // Not a moment before it is due: a run just earlier finds nothing and asks nobody.
        h.setNow(Date.parse(scheduled.dueAt) - 1);
        const lookups = psp.lookups.length;
        expect((await h.run()).examined).toBe(0);
        expect(psp.lookups.length).toBe(lookups);
        h.setNow(Date.parse(scheduled.dueAt));
      }
    }

    expect(psp.lookups).toHaveLength(policy.maxAttempts);
    expect(outcomes).toEqual([...Array(policy.maxAttempts - 1).fill('rescheduled'), 'exhausted']);
    expect(store.scheduled.map((s) => s.attempts)).toEqual([1, 2, 3, 4, 5]);
    // After k looks the gap is drawn from [w/2, w] with w = base·2^k: the lower bounds grow.
    gaps.forEach((gap, index) => {
      const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (index + 1));
      expect(gap).toBeGreaterThanOrEqual(window / 2);
      expect(gap).toBeLessThanOrEqual(window);
    });
    const lowerBounds = gaps.map((_, index) => (policy.baseDelayMs * 2 ** (index + 1)) / 2);
    for (let i = 1; i < gaps.length; i++) {
      expect(lowerBounds[i]).toBeGreaterThan(lowerBounds[i - 1] ?? Number.POSITIVE_INFINITY);
      // Equal jitter: each gap is at least the previous window, so no gap is shorter than the one before.
      expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] ?? Number.POSITIVE_INFINITY);
    }

    const row = store.row(stuck.orderId);
    expect(row.payment).toMatchObject({
      status: 'FAILURE',
      failure: { code: RECOVERY_EXHAUSTED },
      eventSeq: 1,
    });
    expect(row.events).toEqual([
      expect.objectContaining({
        type: 'PaymentFailed',
        seq: 1,
        failure: expect.objectContaining({ code: RECOVERY_EXHAUSTED }),
      }),
    ]);
    // Out of the index: no further run looks at it.
    expect(row.dueAt).toBeUndefined();
    h.setNow(T0 + 365 * 86_400_000);
    expect(await h.run()).toMatchObject({ examined: 0 });
    expect(psp.lookups).toHaveLength(policy.maxAttempts);
  });

  it('a PSP that cannot be asked never exhausts a payment: it stays UNKNOWN and reports stalled past maxAttempts', async () => {
    const policy: RecoveryPolicy = { baseDelayMs: 1_000, maxDelayMs: 4_000, maxAttempts: 3 };
    const store = new InMemoryPaymentStore();
    const psp = new FakePsp(() => UNREACHABLE);
    const stuck = paymentIn('UNKNOWN');
    store.put(stuck, iso(T0));
    const h = harness(store, psp, policy);

    const outcomes: string[] = [];
    for (let run = 0; run < policy.maxAttempts * 3; run++) {
      const report = await h.run();
      outcomes.push(...Object.entries(report.outcomes).flatMap(([o, n]) => Array(n).fill(o)));
      h.setNow(Date.parse(String(store.row(stuck.orderId).dueAt)));
    }

    expect(outcomes).toEqual([
      ...Array(policy.maxAttempts - 1).fill('rescheduled'),
      ...Array(policy.maxAttempts * 2 + 1).fill('stalled'),
    ]);
    expect(store.row(stuck.orderId).payment).toEqual(stuck);
    expect(store.row(stuck.orderId).events).toEqual([]);
  });

  it('a stale EXECUTING payment becomes UNKNOWN on a failed look, stays indexed, and emits nothing', async () => {
    const policy: RecoveryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5 };
    const store = new InMemoryPaymentStore();
    const psp = new FakePsp(() => UNREACHABLE);
    const executing = paymentIn('EXECUTING');
    store.put(executing, iso(T0 - 1));
    const h = harness(store, psp, policy);

    const report = await h.run();

    expect(report).toEqual({
      examined: 1,
      outcomes: {
        approved: 0,
        failed: 0,
        reopened: 0,
        canceled: 0,
        exhausted: 0,
        rescheduled: 1,
        looked: 0,
        cancelHeld: 0,
        stalled: 0,
        skipped: 0,
      },
      heldCancels: [],
    });
    const row = store.row(executing.orderId);
    expect(row.payment).toMatchObject({
      status: 'UNKNOWN',
      version: executing.version + 1,
      eventSeq: executing.eventSeq,
      paymentKey: executing.paymentKey,
    });
    expect(row.events).toEqual([]);
    expect(row.attempts).toBe(1);
    expect(Date.parse(String(row.dueAt))).toBeGreaterThan(T0);
    expect(row.leaseOwner).toBeUndefined();
    expect(row.leaseUntil).toBeUndefined();
    // The status change goes through save (version-checked), not a bare reschedule.
    expect(store.calls).toEqual(['findDue', `claim:${executing.orderId}`, `save:${executing.orderId}`]);
  });

  it('a payment another run holds the lease on is skipped without asking the PSP', async () => {
    const store = new InMemoryPaymentStore();
    const psp = new FakePsp(() => {
      throw new Error('the PSP must not be asked');
    });
    const leased = paymentIn('UNKNOWN');
    store.put(leased, iso(T0 - 1), { leaseOwner: 'other-run', leaseUntil: iso(T0 + LEASE_MS) });
    const h = harness(store, psp, DEFAULT_RECOVERY_POLICY);

    const report = await h.run();

    expect(report.outcomes).toMatchObject({
      approved: 0,
      failed: 0,
      exhausted: 0,
      rescheduled: 0,
      skipped: 1,
    });
    expect(psp.lookups).toEqual([]);
    expect(store.row(leased.orderId)).toMatchObject({
      leaseOwner: 'other-run',
      payment: leased,
      attempts: 0,
    });
  });

  it('an expired lease (its run died) can be taken over', async () => {
    const store = new InMemoryPaymentStore();
    const unknown = paymentIn('UNKNOWN');
    const psp = new FakePsp(() => ({ kind: 'found', payment: pspPayment(unknown, 'DONE') }));
    store.put(unknown, iso(T0 - 1), { leaseOwner: 'dead-run', leaseUntil: iso(T0 - 1) });
    const h = harness(store, psp, DEFAULT_RECOVERY_POLICY);

    expect((await h.run()).outcomes.approved).toBe(1);
    expect(store.row(unknown.orderId).payment.status).toBe('SUCCESS');
  });

  it('DONE at the PSP: the confirm success transition, with its event, and no second confirm', async () => {
    const store = new InMemoryPaymentStore();
    const executing = paymentIn('EXECUTING');
    const psp = new FakePsp(() => ({ kind: 'found', payment: pspPayment(executing, 'DONE') }));
    store.put(executing, iso(T0 - 1));

    const report = await harness(store, psp, DEFAULT_RECOVERY_POLICY).run();

    expect(report.outcomes.approved).toBe(1);
    expect(psp.confirms).toEqual([]);
    const row = store.row(executing.orderId);
    expect(row.payment).toMatchObject({ status: 'SUCCESS', eventSeq: 1, paymentKey: executing.paymentKey });
    expect(row.events).toEqual([expect.objectContaining({ type: 'PaymentConfirmed', seq: 1 })]);
    expect(row.dueAt).toBeUndefined();
  });

  it('approved then partly canceled at the PSP: records the confirm and then the cancel, in order', async () => {
    const store = new InMemoryPaymentStore();
    const unknown = paymentIn('UNKNOWN');
    const canceled = 1_000;
    const psp = new FakePsp(() => ({
      kind: 'found',
      payment: pspPayment(unknown, 'PARTIAL_CANCELED', {
        balanceAmount: unknown.amount - canceled,
        cancels: [
          { transactionKey: 'tx-console', cancelAmount: canceled, canceledAt: '2024-02-13T12:05:00+09:00' },
        ],
      }),
    }));
    store.put(unknown, iso(T0 - 1));

    expect((await harness(store, psp, DEFAULT_RECOVERY_POLICY).run()).outcomes.approved).toBe(1);

    const row = store.row(unknown.orderId);
    expect(row.payment).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: unknown.amount - canceled,
    });
    expect(row.events).toEqual([
      expect.objectContaining({ type: 'PaymentConfirmed', seq: 1, amount: unknown.amount }),
      expect.objectContaining({ type: 'PaymentCanceled', seq: 2, amount: canceled }),
    ]);
  });

  it('READY at the PSP: re-confirmed once with the stored paymentKey, amount and order', async () => {
    const store = new InMemoryPaymentStore();
    const unknown = paymentIn('UNKNOWN');
    const psp = new FakePsp(
      () => ({ kind: 'found', payment: pspPayment(unknown, 'READY', { approvedAt: undefined }) }),
      () => ({ kind: 'approved', payment: pspPayment(unknown, 'DONE') }),
    );
    store.put(unknown, iso(T0 - 1));

    const report = await harness(store, psp, DEFAULT_RECOVERY_POLICY).run();

    expect(report.outcomes.approved).toBe(1);
    expect(psp.confirms).toEqual([
      { paymentKey: unknown.paymentKey, orderId: unknown.orderId, amount: unknown.amount },
    ]);
    expect(store.row(unknown.orderId).payment.status).toBe('SUCCESS');
  });

  it('not found at the PSP: back to NOT_STARTED, confirmable, no event, out of the index', async () => {
    const store = new InMemoryPaymentStore();
    const unknown = paymentIn('UNKNOWN');
    store.put(unknown, iso(T0 - 1));

    const report = await harness(
      store,
      new FakePsp(() => ({ kind: 'notFound' })),
      DEFAULT_RECOVERY_POLICY,
    ).run();

    expect(report.outcomes.reopened).toBe(1);
    const row = store.row(unknown.orderId);
    expect(row.payment).toMatchObject({ status: 'NOT_STARTED', eventSeq: 0 });
    expect(row.payment.paymentKey).toBeUndefined();
    expect(row.events).toEqual([]);
    expect(row.dueAt).toBeUndefined();
  });

  it('DONE at the PSP for another amount is never approved: a person must look, so it stays indexed', async () => {
    const store = new InMemoryPaymentStore();
    const unknown = paymentIn('UNKNOWN');
    const psp = new FakePsp(() => ({
      kind: 'found',
      payment: pspPayment(unknown, 'DONE', { totalAmount: unknown.amount + 1 }),
    }));
    store.put(unknown, iso(T0 - 1));

    const report = await harness(store, psp, DEFAULT_RECOVERY_POLICY).run();

    expect(report.outcomes.rescheduled).toBe(1);
    expect(store.row(unknown.orderId)).toMatchObject({ payment: { status: 'UNKNOWN' }, attempts: 1 });
  });

  it('leaves the rest for the next run when too little time is left to finish one payment', async () => {
    const store = new InMemoryPaymentStore();
    const psp = new FakePsp(() => UNREACHABLE);
    const payment = accepted(createPayment(checkout({ orderId: 'order-late' })));
    store.put({ ...payment, status: 'UNKNOWN', paymentKey: PAYMENT_KEY }, iso(T0 - 1));

    const report = await harness(store, psp, DEFAULT_RECOVERY_POLICY).run({
      remainingMs: () => LEASE_MS / 2 - 1,
    });

    expect(report.examined).toBe(1);
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(0);
    expect(psp.lookups).toEqual([]);
    expect(store.calls).toEqual(['findDue']);
  });
});
