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
  /** At most one webhook look per order in this window; hints inside it are left to recovery. */
  readonly coalesceMs: number;
  /** Identifies this look in the lease (the Lambda request id). */
  readonly owner: string;
}

export type SyncOutcome =
  /** The payment now records what the PSP showed (approval, failure, cancels by transaction key). */
  | 'updated'
  /** It already agreed with the PSP, or the PSP shows nothing to record. */
  | 'unchanged'
  /** No such order here, or another writer got there first: nothing to do. */
  | 'skipped'
  /**
   * Another look holds the order, or one started moments ago: the hint is recorded on the payment
   * instead (that look, or the next recovery run, looks again after it), and the PSP is not called.
   */
  | 'coalesced'
  /** The PSP could not be asked; recovery (or the PSP's next delivery) looks again. */
  | 'unreachable'
  /** The PSP and we disagree in a way only a person can settle; reconciliation reports it. */
  | 'mismatch';

/**
 * Checks one order against the PSP because its webhook said something changed: the body is only a
 * hint, so the order is claimed with the recovery lease, looked up at the PSP, and what the PSP shows
 * is recorded through the ordinary transitions. Looks per order are coalesced: a webhook that finds a
 * look running (or one only just made) records its hint and answers without calling the PSP; no hint
 * is lost, because whoever ends a look after a hint leaves the payment due for recovery.
 */
export function syncOrderUseCase(deps: SyncDeps) {
  return async (orderId: string, deadline: Deadline): Promise<SyncOutcome> => {
    const now = deps.clock();
    const startedAt = now.toISOString();
    const claim = await deps.store.claimForSync(orderId, {
      now: startedAt,
      until: addMs(now, deps.leaseMs),
      owner: deps.owner,
      lookedBefore: new Date(now.getTime() - deps.coalesceMs).toISOString(),
    });
    if (claim.kind === 'missing') return 'skipped';
    if (claim.kind === 'busy') {
      await deps.store.recordHint(orderId, { at: startedAt, dueAt: addMs(now, deps.coalesceMs) });
      return 'coalesced';
    }
    const { payment } = claim.candidate;
    const outcome = await (async (): Promise<SyncOutcome> => {
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
          return 'unchanged';
        case 'mismatch':
          return 'mismatch';
        case 'lost':
          return 'skipped';
      }
    })();
    // Releases the lease; a hint that came during the look leaves the payment due for recovery.
    await deps.store.endLook(orderId, {
      owner: deps.owner,
      startedAt,
      now: deps.clock().toISOString(),
      readPsp: outcome !== 'unreachable',
    });
    return outcome;
  };
}
