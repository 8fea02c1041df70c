import { sumAmounts } from './money';
import { approve, cancel, type Payment, type PaymentStatus, type Transition } from './payment';
import { classifyPspStatus } from './psp-outcome';

/**
 * What the PSP's current view of a payment proves that we have not recorded yet: its approval, and
 * each of its cancels by transaction key. Only the PSP's word finalises a payment, so these facts are
 * what recovery, webhooks and reconciliation apply, each through the ordinary domain transition.
 */
export type PspFact =
  | { readonly kind: 'approve'; readonly paymentKey: string; readonly approvedAt: string }
  | { readonly kind: 'cancel'; readonly transactionKey: string; readonly cancelAmount: number };

/** The PSP's view of one payment (the PSP port's payment fits this shape). */
export interface PspView {
  readonly paymentKey: string;
  /** Toss status: DONE, CANCELED, PARTIAL_CANCELED, ... */
  readonly status: string;
  readonly totalAmount: number;
  readonly balanceAmount: number;
  readonly approvedAt?: string;
  readonly cancels: readonly { readonly transactionKey: string; readonly cancelAmount: number }[];
}

export type OurView = Pick<Payment, 'status' | 'amount' | 'balanceAmount' | 'paymentKey' | 'cancels'>;

export type FactFinding =
  | { readonly kind: 'facts'; readonly facts: readonly PspFact[] }
  /** The PSP and we disagree in a way no fact explains: a person looks. */
  | { readonly kind: 'mismatch'; readonly reason: string }
  /** The PSP has not approved the payment (yet): nothing to record. */
  | { readonly kind: 'notApproved' };

/**
 * Statuses the PSP's approval moves to SUCCESS (a deposit approves AWAITING_DEPOSIT; FAILURE too: the
 * PSP outranks a failure we recorded).
 */
const APPROVABLE: ReadonlySet<PaymentStatus> = new Set([
  'EXECUTING',
  'UNKNOWN',
  'AWAITING_DEPOSIT',
  'FAILURE',
]);

export function pspFacts(ours: OurView, psp: PspView): FactFinding {
  const status = classifyPspStatus(psp.status);
  if (status !== 'approved' && status !== 'canceled') return { kind: 'notApproved' };
  if (psp.totalAmount !== ours.amount) {
    return { kind: 'mismatch', reason: `The PSP approved ${psp.totalAmount}; we hold ${ours.amount}.` };
  }
  if (ours.paymentKey !== undefined && ours.paymentKey !== psp.paymentKey) {
    return { kind: 'mismatch', reason: 'The PSP approved another paymentKey than the one we hold.' };
  }
  if (ours.status === 'NOT_STARTED') {
    return { kind: 'mismatch', reason: 'The PSP approved a payment we never asked it to confirm.' };
  }
  const facts: PspFact[] = [];
  if (APPROVABLE.has(ours.status)) {
    if (!psp.approvedAt)
      return { kind: 'mismatch', reason: 'The PSP approved it but gives no approval time.' };
    facts.push({ kind: 'approve', paymentKey: psp.paymentKey, approvedAt: psp.approvedAt });
  }
  const held = new Set((ours.cancels ?? []).map((c) => c.transactionKey));
  const missing = psp.cancels.filter((c) => !held.has(c.transactionKey));
  const balanceAfter = ours.balanceAmount - sumAmounts(missing.map((c) => c.cancelAmount));
  if (balanceAfter !== psp.balanceAmount) {
    return {
      kind: 'mismatch',
      reason: `After the PSP's unrecorded cancels we would hold ${balanceAfter}; the PSP holds ${psp.balanceAmount}.`,
    };
  }
  for (const c of missing)
    facts.push({ kind: 'cancel', transactionKey: c.transactionKey, cancelAmount: c.cancelAmount });
  return { kind: 'facts', facts };
}

/** A fact is applied as the ordinary domain transition, so it emits the event a confirm or cancel would. */
export function applyFact(payment: Payment, fact: PspFact, at: string, cancelReason: string): Transition {
  return fact.kind === 'approve'
    ? approve(payment, { at, paymentKey: fact.paymentKey, approvedAt: fact.approvedAt })
    : cancel(payment, {
        at,
        transactionKey: fact.transactionKey,
        cancelAmount: fact.cancelAmount,
        cancelReason,
      });
}
