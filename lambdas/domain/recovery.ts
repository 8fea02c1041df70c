import { classifyPspStatus } from './psp-outcome';

/**
 * Recovery of payments stuck in EXECUTING or UNKNOWN (and of virtual accounts past their due
 * date): what the PSP's view of the order means for us, and when to look again.
 */
export interface RecoveryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Looks the PSP answered without settling the payment before giving up with RECOVERY_EXHAUSTED;
   * also the number of unanswered looks (PSP unreachable) after which recovery alarms, never fails.
   */
  readonly maxAttempts: number;
}

export const DEFAULT_RECOVERY_POLICY: RecoveryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 30 * 60_000,
  maxAttempts: 10,
};

export const RECOVERY_EXHAUSTED = 'RECOVERY_EXHAUSTED';

export type RecoveryAction =
  /** The PSP approved it (DONE, or approved then canceled there): the confirm's success transition. */
  | { readonly kind: 'approve' }
  /** The PSP issued a virtual account: record it, and its deposit is awaited. */
  | { readonly kind: 'awaitDeposit' }
  /** The buyer authorised but the PSP has no outcome yet: confirm again with the same key. */
  | { readonly kind: 'reconfirm' }
  /** The PSP said no (aborted, expired): only its word fails a payment. */
  | { readonly kind: 'fail'; readonly code: string; readonly message: string }
  /** The PSP has no payment for the order: our confirm never reached it, so it stays confirmable. */
  | { readonly kind: 'reopen' }
  /** The PSP could not be asked, or answered with something we do not recognise: look again later. */
  | { readonly kind: 'retry' };

/** What asking the PSP about an order gave (the PSP port's lookup result fits this shape). */
export type PspOrderView =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'found'; readonly payment: { readonly status: string } };

export function recoveryAction(lookup: PspOrderView): RecoveryAction {
  if (lookup.kind === 'unknown') return { kind: 'retry' };
  if (lookup.kind === 'notFound') return { kind: 'reopen' };
  if (lookup.payment.status === 'WAITING_FOR_DEPOSIT') return { kind: 'awaitDeposit' };
  switch (classifyPspStatus(lookup.payment.status)) {
    case 'approved':
    case 'canceled':
      return { kind: 'approve' };
    case 'inProgress':
      return { kind: 'reconfirm' };
    case 'failed':
      return {
        kind: 'fail',
        code: `PSP_${lookup.payment.status}`,
        message: `The PSP reports ${lookup.payment.status}.`,
      };
    case 'unrecognized':
      return { kind: 'retry' };
  }
}

/**
 * The gap before attempt `attempt + 1`: doubling from the base up to the cap, with equal
 * jitter (half fixed, half random), so gaps keep growing while runs spread apart.
 */
export function recoveryDelayMs(
  attempt: number,
  random: () => number,
  policy = DEFAULT_RECOVERY_POLICY,
): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(window / 2 + (random() * window) / 2);
}
