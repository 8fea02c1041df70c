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
  /** At most one webhook look per order in this window; the first hint inside it looks when it ends. */
  readonly coalesceMs: number;
  /** Identifies this look in the lease (the Lambda request id). */
  readonly owner: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The webhook route's window: one PSP look-up per order per 2 s, however many webhooks name it. */
export const WEBHOOK_COALESCE_MS = 2_000;
/** A waiting hint looks only if this much of its budget is left after the wait (else recovery does). */
const MIN_LOOK_MS = 3_000;

export type SyncOutcome =
  /** The payment now records what the PSP showed (approval, failure, cancels by transaction key). */
  | 'updated'
  /** It already agreed with the PSP, or the PSP shows nothing to record. */
  | 'unchanged'
  /** No such order here, or another writer got there first: nothing to do. */
  | 'skipped'
  /**
   * Another look holds the order, or one started moments ago, and another hint already waits for the
   * next look: this one is recorded on the payment and the PSP is not called.
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
 * look running (or one only just made) records its hint; the first such hint waits for the window to
 * end and looks then, for every hint recorded meanwhile; the others answer at once. No hint is lost:
 * whoever ends a look after a hint it did not cover leaves the payment due for recovery.
 */
export function syncOrderUseCase(deps: SyncDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function claim(orderId: string) {
    const now = deps.clock();
    const claimed = await deps.store.claimForSync(orderId, {
      now: now.toISOString(),
      until: addMs(now, deps.leaseMs),
      owner: deps.owner,
      lookedBefore: new Date(now.getTime() - deps.coalesceMs).toISOString(),
    });
    return { now, claimed };
  }

  return async (orderId: string, deadline: Deadline): Promise<SyncOutcome> => {
    let { now, claimed } = await claim(orderId);
    if (claimed.kind === 'missing') return 'skipped';
    if (claimed.kind === 'busy') {
      const at = now.toISOString();
      const recorded = await deps.store.recordHint(orderId, { at, dueAt: addMs(now, deps.coalesceMs) });
      const windowEnds = Date.parse(claimed.lookedAt ?? at) + deps.coalesceMs + 1;
      const wait = Math.max(0, windowEnds - now.getTime());
      if (recorded === 'joined' || deadline.remainingMs() - wait < MIN_LOOK_MS) return 'coalesced';
      await sleep(wait);
      ({ now, claimed } = await claim(orderId));
      // Still busy: a look running now ends by leaving the payment due, as recovery's backstop.
      if (claimed.kind !== 'claimed') return 'coalesced';
    }
    const startedAt = now.toISOString();
    const { payment } = claimed.candidate;
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
