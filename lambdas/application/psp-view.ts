import { awaitDeposit, decline, type Payment, reverseDeposit, type Transition } from '../domain/payment';
import { applyFact, pspFacts } from '../domain/psp-facts';
import { depositStep } from '../domain/virtual-account';
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
  /** A virtual account still awaits the buyer's deposit: look again at `lookAt` (its due date). */
  | { readonly kind: 'awaitingDeposit'; readonly lookAt: string }
  /** The PSP and we disagree in a way no fact explains (amount, paymentKey): a person looks. */
  | { readonly kind: 'mismatch'; readonly reason: string }
  /** Another writer changed the payment meanwhile; its next look decides again. */
  | { readonly kind: 'lost' };

type Deps = { readonly store: Pick<PaymentStore, 'save'>; readonly clock: Clock };

/**
 * Records what the PSP's view of a payment proves (its approval, its cancels by transaction key, a
 * virtual account's issue, deposit, expiry or reversed deposit), each as the ordinary transition
 * with its event, saved on the payment's version: the way recovery, webhooks and reconciliation make
 * our payment agree with the PSP.
 */
export async function applyPspView(deps: Deps, payment: Payment, view: PspPayment): Promise<ViewApplied> {
  const deposit = await applyDepositStep(deps, payment, view);
  if (deposit !== undefined) return deposit;
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

/** The virtual-account lifecycle's part of the PSP's view; undefined when the ordinary facts decide. */
async function applyDepositStep(
  deps: Deps,
  payment: Payment,
  view: PspPayment,
): Promise<ViewApplied | undefined> {
  const now = deps.clock();
  const at = now.toISOString();
  const step = depositStep(payment, view, now);
  switch (step.kind) {
    case 'none':
      return undefined;
    case 'wait':
      return { kind: 'awaitingDeposit', lookAt: step.lookAt };
    case 'mismatch':
      return step;
    case 'await':
      return save(deps, payment, awaitDeposit(payment, { at, ...step }), step.lookAt);
    case 'reverse':
      return save(deps, payment, reverseDeposit(payment, { at }), step.lookAt);
    case 'expire':
      return save(deps, payment, decline(payment, { at, code: step.code, message: step.message }));
  }
}

async function save(deps: Deps, payment: Payment, next: Transition, lookAt?: string): Promise<ViewApplied> {
  if (!next.ok) return { kind: 'mismatch', reason: `virtual account step refused: ${next.reason}` };
  const saved = await deps.store.save(payment, next.payment, {
    event: next.event,
    ...(lookAt ? { recoveryDueAt: lookAt } : {}),
  });
  return saved ? { kind: 'applied', payment: next.payment, changed: true } : { kind: 'lost' };
}
