import { approve, cancel, decline, markUnknown, type Payment, type Transition } from '../domain/payment';
import {
  DEFAULT_RECOVERY_POLICY,
  RECOVERY_EXHAUSTED,
  type RecoveryPolicy,
  recoveryAction,
  recoveryDelayMs,
} from '../domain/recovery';
import type { PaymentStore, RecoveryCandidate } from '../ports/payment-store';
import type { Deadline, PaymentGateway, PspResult } from '../ports/psp';
import { addMs, type Clock } from './clock';

/** The metric of payments failed with RECOVERY_EXHAUSTED; an alarm watches it. */
export const RECOVERY_EXHAUSTED_METRIC = 'RecoveryExhausted';

export const PSP_CANCEL_REASON = 'Canceled at the PSP before recovery settled the payment';

/** Time kept between the last PSP call and the lease's end, to record the outcome. */
const LEASE_MARGIN_MS = 5_000;

export type RecoveryOutcome = 'approved' | 'failed' | 'exhausted' | 'rescheduled' | 'skipped';

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
}

/**
 * One scheduled run: every payment due in the recovery index is claimed with a lease, the
 * PSP is asked what became of the order, and the payment is settled the way confirm would
 * have settled it (event and outbox included), or looked at again later with a growing,
 * jittered gap, until RECOVERY_EXHAUSTED.
 */
export function recoveryRunUseCase(deps: RecoveryDeps) {
  const policy = deps.policy ?? DEFAULT_RECOVERY_POLICY;

  async function recoverOne(candidate: RecoveryCandidate, outer: Deadline): Promise<RecoveryOutcome> {
    const now = deps.clock();
    const claimed = await deps.store.claimForRecovery(candidate.payment.orderId, {
      now: now.toISOString(),
      until: addMs(now, deps.leaseMs),
      owner: deps.owner,
    });
    if (!claimed) return 'skipped';
    const { payment, attempts } = claimed;
    // PSP calls must end before the lease does, or another run could take the payment meanwhile.
    const leaseEnds = now.getTime() + deps.leaseMs - LEASE_MARGIN_MS;
    const withinLease: Deadline = {
      remainingMs: () => Math.min(outer.remainingMs(), leaseEnds - deps.clock().getTime()),
    };
    const lookup = await deps.psp.findByOrderId(payment.orderId, withinLease);
    const action = recoveryAction(lookup);
    switch (action.kind) {
      case 'approve':
        return lookup.kind === 'found'
          ? settle(payment, attempts, { kind: 'approved', payment: lookup.payment })
          : reschedule(payment, attempts);
      case 'reconfirm': {
        const result = await deps.psp.confirm(
          { paymentKey: payment.paymentKey ?? '', orderId: payment.orderId, amount: payment.amount },
          withinLease,
        );
        return settle(payment, attempts, result);
      }
      case 'fail':
        return commit(payment, decline(payment, { at: deps.clock().toISOString(), ...action }), 'failed');
      case 'retry':
        return reschedule(payment, attempts);
    }
  }

  async function settle(payment: Payment, attempts: number, result: PspResult): Promise<RecoveryOutcome> {
    const at = deps.clock().toISOString();
    if (result.kind === 'approved' && result.payment.totalAmount === payment.amount) {
      const approvedAt = result.payment.approvedAt ?? at;
      const approved = approve(payment, { at, paymentKey: result.payment.paymentKey, approvedAt });
      const outcome = await commit(payment, approved, 'approved');
      // Approved and then (partly) canceled at the PSP while we did not know: record both, in order.
      const canceledAtPsp = result.payment.totalAmount - result.payment.balanceAmount;
      if (outcome === 'approved' && approved.ok && canceledAtPsp > 0) {
        const canceled = cancel(approved.payment, {
          at,
          cancelAmount: canceledAtPsp,
          cancelReason: PSP_CANCEL_REASON,
        });
        await commit(approved.payment, canceled, 'approved');
      }
      return outcome;
    }
    if (result.kind === 'declined') return commit(payment, decline(payment, { at, ...result }), 'failed');
    return reschedule(payment, attempts);
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

  async function reschedule(payment: Payment, attempts: number): Promise<RecoveryOutcome> {
    const now = deps.clock();
    const made = attempts + 1;
    if (made >= policy.maxAttempts) {
      const next = decline(payment, {
        at: now.toISOString(),
        code: RECOVERY_EXHAUSTED,
        message: `No outcome from the PSP after ${made} recovery attempts.`,
      });
      return commit(payment, next, 'exhausted');
    }
    const dueAt = addMs(now, recoveryDelayMs(made, deps.random, policy));
    if (payment.status === 'EXECUTING') {
      // Stale EXECUTING means nobody knows the outcome: say so, and keep it in the index.
      const next = markUnknown(payment, { at: now.toISOString() });
      if (
        next.ok &&
        (await deps.store.save(payment, next.payment, { recoveryDueAt: dueAt, recoveryAttempts: made }))
      ) {
        return 'rescheduled';
      }
      return 'skipped';
    }
    return (await deps.store.reschedule(payment, made, dueAt)) ? 'rescheduled' : 'skipped';
  }

  return async (deadline: Deadline, limit: number): Promise<RecoveryRunReport> => {
    const outcomes: Record<RecoveryOutcome, number> = {
      approved: 0,
      failed: 0,
      exhausted: 0,
      rescheduled: 0,
      skipped: 0,
    };
    const due = await deps.store.findDueForRecovery(deps.clock().toISOString(), limit);
    for (const candidate of due) {
      // Leave time to finish the payment in hand; the next run picks up the rest.
      if (deadline.remainingMs() < deps.leaseMs / 2) break;
      outcomes[await recoverOne(candidate, deadline)] += 1;
    }
    return { examined: due.length, outcomes };
  };
}
