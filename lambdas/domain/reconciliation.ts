import { type AccountTotals, isSellerPayable } from './ledger';
import { sumAmounts } from './money';
import type { Payment, Transition } from './payment';
import { applyFact, type PspFact, type PspView, pspFacts } from './psp-facts';

/**
 * Daily reconciliation against the PSP's settlement data: what one order's evidence from both
 * sides says, and which changes are safe to make without a person.
 */
export const RECONCILIATION_CLASSES = [
  'MATCHED',
  'MISSING_INTERNAL',
  'MISSING_AT_PSP',
  'AMOUNT_MISMATCH',
  'STATUS_MISMATCH',
] as const;

export type ReconciliationClass = (typeof RECONCILIATION_CLASSES)[number];

/**
 * One settlement row: a money movement at the PSP, positive for an approval, negative for a cancel
 * (whose fee and payout are negative too: the PSP returns its fee).
 */
export interface SettlementMovement {
  readonly orderId: string;
  readonly paymentKey: string;
  readonly amount: number;
  readonly fee: number;
  readonly payOutAmount: number;
  readonly approvedAt?: string;
}

/** An order's settlement rows of one day, folded into what the PSP approved and canceled that day. */
export interface PspDay {
  readonly orderId: string;
  readonly paymentKey: string;
  /** The day's approval rows: the payment's total when the PSP approved it that day, else 0. */
  readonly approved: number;
  /** The day's cancel rows, as a positive amount. */
  readonly canceled: number;
  /** The PSP's fees over the day's rows (a cancel's returned fee subtracted). */
  readonly fee: number;
  /** What the PSP pays out for the day's rows. */
  readonly payOut: number;
  readonly approvedAt?: string;
}

/** Adds one settlement row to an order's day in place: the merge's hot loop allocates nothing for an order's later rows. */
export function addSettlement(
  day: { approved: number; canceled: number; fee: number; payOut: number; approvedAt?: string },
  row: SettlementMovement,
): void {
  if (row.amount > 0) day.approved += row.amount;
  else day.canceled -= row.amount;
  day.fee += row.fee;
  day.payOut += row.payOutAmount;
  day.approvedAt ??= row.approvedAt;
}

/** An order's day with one more settlement row, as a new record. */
export function foldSettlement(day: PspDay | undefined, row: SettlementMovement): PspDay {
  const next = {
    orderId: row.orderId,
    paymentKey: day?.paymentKey ?? row.paymentKey,
    approved: day?.approved ?? 0,
    canceled: day?.canceled ?? 0,
    fee: day?.fee ?? 0,
    payOut: day?.payOut ?? 0,
    approvedAt: day?.approvedAt,
  };
  addSettlement(next, row);
  return next;
}

/** What the PSP's rows of a day add up to: its volume, its fees and what it pays out. */
export interface SettlementTotals {
  rows: number;
  /** Approvals less cancels. */
  amount: number;
  fee: number;
  payOut: number;
  /** What the PSP kept: amount less payout. Normally the fee; the ledger records this. */
  kept: number;
  /** Rows whose payout is not their amount less their fee: the PSP kept something unexplained. */
  payOutMismatches: number;
}

export function emptySettlementTotals(): SettlementTotals {
  return { rows: 0, amount: 0, fee: 0, payOut: 0, kept: 0, payOutMismatches: 0 };
}

export function addToTotals(totals: SettlementTotals, row: SettlementMovement): void {
  totals.rows += 1;
  totals.amount += row.amount;
  totals.fee += row.fee;
  totals.payOut += row.payOutAmount;
  totals.kept += row.amount - row.payOutAmount;
  if (row.amount - row.fee !== row.payOutAmount) totals.payOutMismatches += 1;
}

/** What the PSP settled for the order that day: approvals minus cancels. */
export function netSettled(day: PspDay): number {
  return day.approved - day.canceled;
}

/** What reconciliation reads of our payment. */
export type InternalPayment = Pick<
  Payment,
  'orderId' | 'status' | 'amount' | 'balanceAmount' | 'paymentKey' | 'cancels'
>;

/** The PSP's current view of one payment, from a lookup by orderId (the PSP port's payment fits). */
export type PspPaymentView = PspView;

/** Corrections are the PSP's facts we have not recorded: its approval, its cancels by transaction key. */
export type Correction = PspFact;

export interface Verdict {
  readonly kind: 'verdict';
  readonly class: ReconciliationClass;
  /** Changes that make our payment agree with the PSP, in order; empty when a person must decide. */
  readonly corrections: readonly Correction[];
  readonly reason: string;
}

export type Assessment = Verdict | { readonly kind: 'needsPspLookup' };

export interface OrderEvidence {
  readonly psp?: PspDay;
  readonly internal?: InternalPayment;
  /** The PSP's current view, once looked up; null when the PSP has no payment for the order. */
  readonly pspNow?: PspPaymentView | null;
}

export function assess(evidence: OrderEvidence): Assessment {
  const { psp, internal } = evidence;
  if (!internal) {
    if (!psp) throw new Error('an order needs evidence from at least one side');
    return verdict('MISSING_INTERNAL', 'The PSP settled money for an order we have no payment for.');
  }
  if (!psp) return verdict('MISSING_AT_PSP', 'Approved here that day, but the PSP settled nothing for it.');
  if (internal.status === 'NOT_STARTED') {
    return verdict('STATUS_MISMATCH', `The PSP settled money for a payment we hold as ${internal.status}.`);
  }
  const truth = pspTruth(psp, internal, evidence.pspNow);
  if (truth === 'lookup') return { kind: 'needsPspLookup' };
  if (truth === undefined) {
    return verdict('STATUS_MISMATCH', 'The PSP has settlement rows for the order but no payment.');
  }
  return compare(truth, internal);
}

/**
 * The day's rows tell the PSP's balance only for an order approved that day and canceled on
 * neither side: cancels can fall on later days (or earlier ones, for the approval), so anything
 * else is decided on the PSP's current view of the payment.
 */
function pspTruth(
  psp: PspDay,
  internal: InternalPayment,
  pspNow: PspPaymentView | null | undefined,
): PspView | undefined | 'lookup' {
  if (pspNow === null) return undefined;
  if (pspNow !== undefined) return pspNow;
  const dayDecides = psp.approved > 0 && psp.canceled === 0 && internal.balanceAmount === internal.amount;
  if (!dayDecides) return 'lookup';
  return {
    paymentKey: psp.paymentKey,
    status: 'DONE',
    totalAmount: psp.approved,
    balanceAmount: psp.approved,
    approvedAt: psp.approvedAt,
    cancels: [],
  };
}

function compare(psp: PspView, internal: InternalPayment): Verdict {
  if (psp.totalAmount !== internal.amount) {
    return verdict('AMOUNT_MISMATCH', `The PSP approved ${psp.totalAmount}; we hold ${internal.amount}.`);
  }
  const finding = pspFacts(internal, psp);
  switch (finding.kind) {
    case 'notApproved':
      return verdict('STATUS_MISMATCH', 'The PSP settled money for a payment it does not hold as approved.');
    case 'mismatch':
      return verdict('STATUS_MISMATCH', finding.reason);
    case 'facts':
      if (finding.facts.length === 0) return verdict('MATCHED', 'Agrees with the PSP.');
      return verdict('STATUS_MISMATCH', describe(finding.facts, internal), finding.facts);
  }
}

function describe(facts: readonly PspFact[], internal: InternalPayment): string {
  const canceled = sumAmounts(facts.map((f) => (f.kind === 'cancel' ? f.cancelAmount : 0)));
  const approval = facts.some((f) => f.kind === 'approve')
    ? `Approved at the PSP; ${internal.status} here. `
    : '';
  return `${approval}${canceled > 0 ? `The PSP canceled ${canceled} that we have not recorded.` : ''}`.trim();
}

function verdict(cls: ReconciliationClass, reason: string, corrections: readonly Correction[] = []): Verdict {
  return { kind: 'verdict', class: cls, corrections, reason };
}

export const CORRECTION_CANCEL_REASON = 'Canceled at the PSP; recorded by reconciliation';

/** A correction is the ordinary domain transition, so it emits the same event a confirm or cancel would. */
export function applyCorrection(payment: Payment, correction: Correction, at: string): Transition {
  return applyFact(payment, correction, at, CORRECTION_CANCEL_REASON);
}

export interface LedgerCheck {
  readonly walletsTotal: number;
  /** What the ledger says we owe sellers: their payable accounts' credit balances. */
  readonly sellerPayables: number;
  readonly balanced: boolean;
}

/** Every won credited to a wallet is owed to its seller, so wallets sum to the seller-payable balances. */
export function checkLedgerAgainstWallets(
  accounts: readonly AccountTotals[],
  walletsTotal: number,
): LedgerCheck {
  const sellerPayables = sumAmounts(
    accounts.filter((a) => isSellerPayable(a.account)).map((a) => a.credits - a.debits),
  );
  return { walletsTotal, sellerPayables, balanced: walletsTotal === sellerPayables };
}
