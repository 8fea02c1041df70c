import { timingSafeEqual } from 'node:crypto';
import { decline } from '../domain/payment';
import { classifyPspStatus } from '../domain/psp-outcome';
import type { PaymentStore } from '../ports/payment-store';
import type { Deadline, PaymentGateway } from '../ports/psp';
import { addMs, type Clock } from './clock';
import { applyPspView } from './psp-view';

export interface SyncDeps {
  readonly store: PaymentStore;
  readonly psp: Pick<PaymentGateway, 'findByOrderId'>;
  readonly clock: Clock;
  /** How long the look keeps other looks (recovery, other webhooks) away. */
  readonly leaseMs: number;
  /** Identifies this look in the lease (the Lambda request id). */
  readonly owner: string;
}

export type SyncOutcome =
  /** The payment now records what the PSP showed (approval, failure, cancels by transaction key). */
  | 'updated'
  /** It already agreed with the PSP, or the PSP shows nothing to record. */
  | 'unchanged'
  /** No such order here, or another look holds it right now: either way nothing to do. */
  | 'skipped'
  /** The PSP could not be asked; recovery (or the PSP's next delivery) looks again. */
  | 'unreachable'
  /** The PSP and we disagree in a way only a person can settle; reconciliation reports it. */
  | 'mismatch'
  /** A deposit callback whose secret is not the one the PSP gave for the payment: not the PSP's. */
  | 'forged';

/** What the webhook itself claims, checked before the PSP is asked. */
export interface SyncHint {
  /** A deposit callback's `secret`: the PSP sends the one it issued with the payment. */
  readonly depositSecret?: string;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks one order against the PSP because its webhook said something changed: the body is only a
 * hint, so the order is claimed with the recovery lease, looked up at the PSP, and what the PSP shows
 * is recorded through the ordinary transitions. One lease, one lookup and a few conditional writes:
 * bounded work, and a repeat or a burst of the same event finds nothing left to do.
 */
export function syncOrderUseCase(deps: SyncDeps) {
  return async (orderId: string, deadline: Deadline, hint: SyncHint = {}): Promise<SyncOutcome> => {
    const now = deps.clock();
    const claimed = await deps.store.claimForSync(orderId, {
      now: now.toISOString(),
      until: addMs(now, deps.leaseMs),
      owner: deps.owner,
    });
    if (!claimed) return 'skipped';
    const { payment } = claimed;
    const outcome = await (async (): Promise<SyncOutcome> => {
      const { depositSecret } = hint;
      if (
        depositSecret !== undefined &&
        payment.depositSecret !== undefined &&
        !sameSecret(depositSecret, payment.depositSecret)
      ) {
        return 'forged';
      }
      const lookup = await deps.psp.findByOrderId(orderId, deadline);
      if (lookup.kind === 'unknown') return 'unreachable';
      // No payment at the PSP proves nothing here: a confirm may still be on its way.
      if (lookup.kind === 'notFound') return 'unchanged';
      const psp = lookup.payment;
      if (payment.status === 'UNKNOWN' && classifyPspStatus(psp.status) === 'failed') {
        const at = deps.clock().toISOString();
        const failure = { code: `PSP_${psp.status}`, message: `The PSP reports ${psp.status}.` };
        const next = decline(payment, { at, ...failure });
        return next.ok && (await deps.store.save(payment, next.payment, { event: next.event }))
          ? 'updated'
          : 'skipped';
      }
      const applied = await applyPspView(deps, payment, psp);
      switch (applied.kind) {
        case 'applied':
          return applied.changed ? 'updated' : 'unchanged';
        case 'notApproved':
        case 'awaitingDeposit':
          return 'unchanged';
        case 'mismatch':
          return 'mismatch';
        case 'lost':
          return 'skipped';
      }
    })();
    // Transitions end the lease themselves; a look that wrote nothing ends it here.
    if (outcome !== 'updated') await deps.store.releaseLease(orderId, deps.owner);
    return outcome;
  };
}
