import type { Payment } from '../domain/payment';
import { applyFact, pspFacts } from '../domain/psp-facts';
import type { PaymentStore } from '../ports/payment-store';
import type { PspPayment } from '../ports/psp';
import type { Clock } from './clock';

/** Reason recorded on cancels learned from the PSP's view (console cancels, lost answers). */
export const PSP_CANCEL_REASON = 'Canceled at the PSP; recorded from its view of the payment';

export type ViewApplied =
  /** Every fact the PSP proves is recorded; `payment` is the result (unchanged if there was none). */
  | { readonly kind: 'applied'; readonly payment: Payment; readonly changed: boolean }
  /** The PSP has not approved the payment: nothing to record from its view. */
  | { readonly kind: 'notApproved' }
  /** The PSP and we disagree in a way no fact explains (amount, paymentKey): a person looks. */
  | { readonly kind: 'mismatch'; readonly reason: string }
  /** Another writer changed the payment meanwhile; its next look decides again. */
  | { readonly kind: 'lost' };

/**
 * Records what the PSP's view of a payment proves (its approval, its cancels by transaction key),
 * each as the ordinary transition with its event, saved on the payment's version: the way recovery,
 * webhooks and reconciliation make our payment agree with the PSP.
 */
export async function applyPspView(
  deps: { readonly store: Pick<PaymentStore, 'save'>; readonly clock: Clock },
  payment: Payment,
  view: PspPayment,
): Promise<ViewApplied> {
  const finding = pspFacts(payment, view);
  if (finding.kind !== 'facts') return finding;
  let current = payment;
  for (const fact of finding.facts) {
    const next = applyFact(current, fact, deps.clock().toISOString(), PSP_CANCEL_REASON);
    if (!next.ok) return { kind: 'mismatch', reason: `${fact.kind} refused: ${next.reason}` };
    if (!(await deps.store.save(current, next.payment, { event: next.event }))) return { kind: 'lost' };
    current = next.payment;
  }
  return { kind: 'applied', payment: current, changed: finding.facts.length > 0 };
}
