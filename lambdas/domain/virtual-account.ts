import type { Payment, PaymentStatus, VirtualAccount } from './payment';

/**
 * The virtual-account (가상계좌) lifecycle as the PSP shows it, read against ours. Toss issues the
 * account on confirm (WAITING_FOR_DEPOSIT), approves on deposit (DONE), may take a deposit back
 * (DONE → WAITING_FOR_DEPOSIT, a deposit error), and lets the due date pass without a status change
 * or webhook (the account only reads `expired`); an account canceled before any deposit is CANCELED
 * with no approval.
 */

/** The failure code of a virtual-account payment nobody paid into in time (or canceled unpaid). */
export const DEPOSIT_EXPIRED = 'EXPIRED';

/**
 * How long after the due date a deposit may still surface at the PSP (a transfer made at the last
 * second) before the payment is failed on its due date alone.
 */
export const DEPOSIT_GRACE_MS = 10 * 60_000;

/** The PSP's view of a payment, as far as the virtual-account lifecycle needs it. */
export interface PspDepositView {
  readonly paymentKey: string;
  readonly status: string;
  readonly approvedAt?: string;
  readonly virtualAccount?: VirtualAccount & { readonly expired?: boolean };
  readonly secret?: string;
}

export type DepositStep =
  /** The PSP issued an account for a confirm whose outcome we did not know: record it. */
  | {
      readonly kind: 'await';
      readonly lookAt: string;
      readonly paymentKey: string;
      readonly virtualAccount: VirtualAccount;
      readonly depositSecret?: string;
    }
  /** Still waiting for the buyer: nothing to record; look again at `lookAt` (the due date, plus grace). */
  | { readonly kind: 'wait'; readonly lookAt: string }
  /** Nobody paid in time, or the account was canceled unpaid: FAILURE. */
  | { readonly kind: 'expire'; readonly code: string; readonly message: string }
  /** The PSP took back the deposit we recorded as SUCCESS: reverse the credit, await a deposit again. */
  | { readonly kind: 'reverse'; readonly lookAt: string }
  /** The PSP and we disagree in a way no step explains. */
  | { readonly kind: 'mismatch'; readonly reason: string }
  /** Not a virtual-account matter: the ordinary PSP facts (approval, cancels) decide. */
  | { readonly kind: 'none' };

const SETTLING: ReadonlySet<PaymentStatus> = new Set(['EXECUTING', 'UNKNOWN']);
const UNPAID_ENDS: ReadonlySet<string> = new Set(['CANCELED', 'EXPIRED', 'ABORTED']);

export function depositStep(
  ours: Pick<Payment, 'status' | 'paymentKey'>,
  psp: PspDepositView,
  now: Date,
): DepositStep {
  if (ours.paymentKey !== undefined && ours.paymentKey !== psp.paymentKey) return { kind: 'none' };
  if (psp.status === 'WAITING_FOR_DEPOSIT') return waiting(ours.status, psp, now);
  // An account that ended unpaid (no approval ever): the payment fails; with an approval the PSP's
  // cancels are ordinary facts. A confirm whose answer we lost learns it from the account itself.
  const accountOfOurs =
    ours.status === 'AWAITING_DEPOSIT' || (SETTLING.has(ours.status) && psp.virtualAccount !== undefined);
  if (accountOfOurs && UNPAID_ENDS.has(psp.status) && !psp.approvedAt) {
    return expire(`The PSP reports the virtual account ${psp.status} before any deposit.`);
  }
  return { kind: 'none' };
}

function waiting(status: PaymentStatus, psp: PspDepositView, now: Date): DepositStep {
  const account = psp.virtualAccount;
  if (account === undefined) {
    return { kind: 'mismatch', reason: 'The PSP awaits a deposit but names no virtual account.' };
  }
  const lookAt = new Date(Date.parse(account.dueDate) + DEPOSIT_GRACE_MS);
  if (Number.isNaN(lookAt.getTime())) {
    return { kind: 'mismatch', reason: `The PSP's due date ${account.dueDate} is not a date.` };
  }
  const overdue = account.expired === true || now.getTime() >= lookAt.getTime();
  if (SETTLING.has(status)) {
    if (overdue) return expire('The virtual account expired before any deposit.');
    const { expired: _, ...virtualAccount } = account;
    return {
      kind: 'await',
      lookAt: lookAt.toISOString(),
      paymentKey: psp.paymentKey,
      virtualAccount,
      ...(psp.secret ? { depositSecret: psp.secret } : {}),
    };
  }
  if (status === 'AWAITING_DEPOSIT') {
    if (overdue) return expire('The virtual account expired before any deposit.');
    return { kind: 'wait', lookAt: lookAt.toISOString() };
  }
  if (status === 'SUCCESS') return { kind: 'reverse', lookAt: lookAt.toISOString() };
  if (status === 'FAILURE') return { kind: 'none' };
  return { kind: 'mismatch', reason: `The PSP awaits a deposit for a payment we hold as ${status}.` };
}

function expire(message: string): DepositStep {
  return { kind: 'expire', code: DEPOSIT_EXPIRED, message };
}
