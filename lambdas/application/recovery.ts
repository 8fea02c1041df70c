import {
  cancelKeyExpired,
  decline,
  markUnknown,
  type Payment,
  type PendingCancel,
  reopen,
  type Transition,
} from '../domain/payment';
import {
  DEFAULT_RECOVERY_POLICY,
  RECOVERY_EXHAUSTED,
  type RecoveryPolicy,
  recoveryAction,
  recoveryDelayMs,
} from '../domain/recovery';
import type { PaymentStore, RecoveryCandidate } from '../ports/payment-store';
import type { Deadline, PaymentGateway, PspLookup, PspResult } from '../ports/psp';
import { cancelMadeFor, recordPspCancel, settleFromPspRecord } from './cancel';
import { addMs, type Clock } from './clock';
import { applyPspView } from './psp-view';

/** The metric of payments failed with RECOVERY_EXHAUSTED; an alarm watches it. */
export const RECOVERY_EXHAUSTED_METRIC = 'RecoveryExhausted';
/** The metric of payments recovery could not ask the PSP about for maxAttempts looks; an alarm watches it. */
export const RECOVERY_STALLED_METRIC = 'RecoveryStalled';
/** The metric of payments holding a cancel intent whose PSP key may have expired; an alarm watches it. */
export const CANCEL_INTENT_HELD_METRIC = 'CancelIntentHeld';

/** Time kept between the last PSP call and the lease's end, to record the outcome. */
const LEASE_MARGIN_MS = 5_000;

export type RecoveryOutcome =
  | 'approved'
  | 'failed'
  | 'reopened'
  | 'canceled'
  | 'exhausted'
  | 'rescheduled'
  /** A settled payment looked at because a webhook hinted at a change (recorded if there was one). */
  | 'looked'
  /** Rescheduled, and the PSP has been unreachable for maxAttempts looks or more: a person should know. */
  | 'stalled'
  /** Rescheduled with a cancel intent too old to re-send (its PSP key may have expired): a person decides. */
  | 'cancelHeld'
  | 'skipped';

export interface RecoveryDeps {
  readonly store: PaymentStore;
  readonly psp: PaymentGateway;
  readonly clock: Clock;
  readonly random: () => number;
  readonly policy?: RecoveryPolicy;
  /** How long a claim keeps other runs away; longer than one payment's PSP round trips. */
  readonly leaseMs: number;
  /** Identifies this run in the lease (the Lambda request id). */
  readonly owner: string;
}

export interface RecoveryRunReport {
  readonly examined: number;
  readonly outcomes: Readonly<Record<RecoveryOutcome, number>>;
  /** Orders whose cancel intents are held for a person (outcome `cancelHeld`), for the log. */
  readonly heldCancels: readonly string[];
}

/** How a look went, for the counters: only answered looks count towards RECOVERY_EXHAUSTED. */
type Look = 'answered' | 'unanswered';

/**
 * One scheduled run: every payment due in the recovery index is claimed with a lease and the PSP is
 * asked what became of the order. A confirm is settled the way confirm would have settled it (event
 * and outbox included), a pending cancel is finished with its own PSP key and recorded by the PSP's
 * transaction key; otherwise the payment is looked at again later with a growing, jittered gap. Only
 * the PSP's answers can exhaust a payment; while the PSP cannot be asked it stays UNKNOWN (and alarms).
 */
export function recoveryRunUseCase(deps: RecoveryDeps) {
  const policy = deps.policy ?? DEFAULT_RECOVERY_POLICY;

  async function recoverOne(orderId: string, outer: Deadline): Promise<RecoveryOutcome> {
    const now = deps.clock();
    const startedAt = now.toISOString();
    const claimed = await deps.store.claimForRecovery(orderId, {
      now: startedAt,
      until: addMs(now, deps.leaseMs),
      owner: deps.owner,
    });
    if (!claimed) return 'skipped';
    // PSP calls must end before the lease does, or another run could take the payment meanwhile.
    const leaseEnds = now.getTime() + deps.leaseMs - LEASE_MARGIN_MS;
    const withinLease: Deadline = {
      remainingMs: () => Math.min(outer.remainingMs(), leaseEnds - deps.clock().getTime()),
    };
    const lookup = await deps.psp.findByOrderId(orderId, withinLease);
    const outcome =
      lookup.kind === 'unknown'
        ? await reschedule(claimed, 'unanswered')
        : await settleFrom(claimed, lookup, withinLease);
    // A webhook that came while we looked (or any, when the PSP could not be read) leaves the payment
    // due again: the next run looks after it.
    await deps.store.endLook(orderId, {
      owner: deps.owner,
      startedAt,
      now: deps.clock().toISOString(),
      readPsp: lookup.kind !== 'unknown',
    });
    return outcome;
  }

  /** What the PSP's answer settles: the confirm's outcome, or a settled payment's cancel intents. */
  async function settleFrom(
    claimed: RecoveryCandidate,
    lookup: Exclude<PspLookup, { kind: 'unknown' }>,
    withinLease: Deadline,
  ): Promise<RecoveryOutcome> {
    const { payment } = claimed;
    if (payment.status !== 'EXECUTING' && payment.status !== 'UNKNOWN') {
      return finishCancels(claimed, lookup, withinLease);
    }
    const action = recoveryAction(lookup);
    switch (action.kind) {
      case 'approve':
        return lookup.kind === 'found'
          ? settle(claimed, { kind: 'approved', payment: lookup.payment })
          : reschedule(claimed, 'answered');
      case 'reconfirm': {
        const result = await deps.psp.confirm(
          { paymentKey: payment.paymentKey ?? '', orderId: payment.orderId, amount: payment.amount },
          withinLease,
        );
        return settle(claimed, result);
      }
      case 'fail':
        return commit(payment, decline(payment, { at: deps.clock().toISOString(), ...action }), 'failed');
      case 'reopen':
        return commit(
          payment,
          reopen(payment, { at: deps.clock().toISOString(), pspMayHaveActed: false }),
          'reopened',
        );
      case 'retry':
        return reschedule(claimed, 'answered');
    }
  }

  async function settle(claimed: RecoveryCandidate, result: PspResult): Promise<RecoveryOutcome> {
    const { payment } = claimed;
    const at = deps.clock().toISOString();
    switch (result.kind) {
      case 'approved': {
        // The approval, and whatever the PSP canceled since, each by its transaction key.
        const applied = await applyPspView(deps, payment, result.payment);
        if (applied.kind === 'applied') return applied.changed ? 'approved' : 'skipped';
        return applied.kind === 'lost' ? 'skipped' : reschedule(claimed, 'answered');
      }
      case 'declined':
        return commit(payment, decline(payment, { at, ...result }), 'failed');
      case 'sessionNotFound':
        return commit(payment, reopen(payment, { at, pspMayHaveActed: false }), 'reopened');
      case 'unavailable':
        return reschedule(claimed, 'unanswered');
      case 'unknown':
      case 'refused':
        return reschedule(claimed, 'answered');
    }
  }

  /**
   * A settled payment with cancel intents (or a webhook's hint): the PSP's cancels are recorded, each
   * intent finished with its key. An intent older than its key's trusted life is never re-sent: the
   * PSP's record settles it (a cancel of its amount there is its own), or it stays held for a person.
   */
  async function finishCancels(
    claimed: RecoveryCandidate,
    lookup: Exclude<PspLookup, { kind: 'unknown' }>,
    withinLease: Deadline,
  ): Promise<RecoveryOutcome> {
    const { orderId } = claimed.payment;
    const now = deps.clock();
    const view = lookup.kind === 'found' ? lookup.payment : undefined;
    let held = 0;
    for (const pending of claimed.payment.pendingCancels ?? []) {
      if (!cancelKeyExpired(pending, now)) continue;
      const settled = view && (await settleFromPspRecord(deps, orderId, pending, false, withinLease, view));
      if (!settled || settled.intentOpen) held += 1;
    }
    let current = await deps.store.get(orderId);
    if (view && current) await applyPspView(deps, current, view);
    current = await deps.store.get(orderId);
    for (const pending of current?.pendingCancels ?? []) {
      if (cancelKeyExpired(pending, now)) continue;
      if (!(await finishCancel(orderId, current, pending, withinLease))) break;
    }
    current = await deps.store.get(orderId);
    if (!current || (current.pendingCancels?.length ?? 0) === 0)
      return (claimed.payment.pendingCancels?.length ?? 0) > 0 ? 'canceled' : 'looked';
    const outcome = await reschedule({ ...claimed, payment: current }, 'answered');
    return held > 0 && outcome !== 'skipped' ? 'cancelHeld' : outcome;
  }

  /** Asks the PSP for the intent's cancel again with the same key (a replay if it was made). */
  async function finishCancel(
    orderId: string,
    payment: Payment | undefined,
    pending: PendingCancel,
    withinLease: Deadline,
  ): Promise<boolean> {
    const result = await deps.psp.cancel(
      {
        paymentKey: payment?.paymentKey ?? '',
        cancelReason: pending.reason,
        cancelAmount: pending.amount,
        refundableAmount: payment?.balanceAmount ?? 0,
        idempotencyKey: pending.requestKey,
      },
      withinLease,
    );
    if (result.kind === 'unavailable') return false;
    if (result.kind !== 'approved') {
      // Whatever the PSP answered, its record is read before the intent goes: a cancel made elsewhere
      // meanwhile (the console) may be why it refused, and is recorded first.
      const settled = await settleFromPspRecord(
        deps,
        orderId,
        pending,
        result.kind !== 'unknown',
        withinLease,
      );
      return settled !== undefined && !settled.intentOpen;
    }
    const transactionKey = cancelMadeFor(result.payment, pending.amount);
    if (transactionKey === undefined) return false;
    return (await recordPspCancel(deps, orderId, { ...pending, transactionKey }, withinLease)) !== undefined;
  }

  async function commit(
    payment: Payment,
    next: Transition,
    outcome: RecoveryOutcome,
  ): Promise<RecoveryOutcome> {
    if (!next.ok) return 'skipped';
    // A lost race (a client retry settled it meanwhile) is fine: the payment is settled either way.
    return (await deps.store.save(payment, next.payment, { event: next.event })) ? outcome : 'skipped';
  }

  async function reschedule(claimed: RecoveryCandidate, look: Look): Promise<RecoveryOutcome> {
    const { payment } = claimed;
    const now = deps.clock();
    const made = claimed.attempts + 1;
    const answered = (claimed.answered ?? 0) + (look === 'answered' ? 1 : 0);
    const settling = payment.status === 'EXECUTING' || payment.status === 'UNKNOWN';
    if (settling && answered >= policy.maxAttempts) {
      const next = decline(payment, {
        at: now.toISOString(),
        code: RECOVERY_EXHAUSTED,
        message: `The PSP's answers settled nothing after ${answered} recovery looks.`,
      });
      return commit(payment, next, 'exhausted');
    }
    const dueAt = addMs(now, recoveryDelayMs(made, deps.random, policy));
    const outcome: RecoveryOutcome =
      look === 'unanswered' && made >= policy.maxAttempts ? 'stalled' : 'rescheduled';
    if (payment.status === 'EXECUTING') {
      // Stale EXECUTING means nobody knows the outcome: say so, and keep it in the index.
      const next = markUnknown(payment, { at: now.toISOString() });
      const options = { recoveryDueAt: dueAt, recoveryAttempts: made, recoveryAnswered: answered };
      return next.ok && (await deps.store.save(payment, next.payment, options)) ? outcome : 'skipped';
    }
    return (await deps.store.reschedule(payment, made, dueAt, answered)) ? outcome : 'skipped';
  }

  return async (deadline: Deadline, limit: number): Promise<RecoveryRunReport> => {
    const outcomes: Record<RecoveryOutcome, number> = {
      approved: 0,
      failed: 0,
      reopened: 0,
      canceled: 0,
      exhausted: 0,
      rescheduled: 0,
      looked: 0,
      stalled: 0,
      cancelHeld: 0,
      skipped: 0,
    };
    const heldCancels: string[] = [];
    const due = await deps.store.findDueForRecovery(deps.clock().toISOString(), limit);
    for (const orderId of due) {
      // Leave time to finish the payment in hand; the next run picks up the rest.
      if (deadline.remainingMs() < deps.leaseMs / 2) break;
      const outcome = await recoverOne(orderId, deadline);
      outcomes[outcome] += 1;
      if (outcome === 'cancelHeld') heldCancels.push(orderId);
    }
    return { examined: due.length, outcomes, heldCancels };
  };
}
