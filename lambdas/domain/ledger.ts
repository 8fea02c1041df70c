import type { DomainEvent } from './events';
import { sumAmounts } from './money';
import { amountsBySeller } from './wallet';

/** Money the PSP owes us for approved payments, until it settles (an asset: debit-normal). */
export const PSP_CLEARING = 'psp-clearing';

/** What the PSP keeps of the money it settles: its fees, an expense (debit-normal). */
export const PSP_FEES = 'psp-fees';

/** Money we owe a seller for its sold items (a liability: credit-normal). */
export function sellerPayable(sellerId: string): string {
  return `seller-payable:${sellerId}`;
}

export function isSellerPayable(account: string): boolean {
  return account.startsWith(sellerPayable(''));
}

/** One account's line in a journal transaction; exactly one of `debit` and `credit` is non-zero. */
export interface JournalEntry {
  readonly account: string;
  readonly debit: number;
  readonly credit: number;
}

/** An immutable double-entry transaction, one per event that moves money. */
export interface JournalTransaction {
  readonly eventId: string;
  readonly orderId: string;
  readonly seq: number;
  readonly type: 'PaymentConfirmed' | 'PaymentCanceled';
  /** When the business event happened (not when it was recorded). */
  readonly at: string;
  /** Each account at most once, so every entry maps to one account-total update. */
  readonly entries: readonly JournalEntry[];
}

export interface AccountTotals {
  readonly account: string;
  readonly debits: number;
  readonly credits: number;
}

export interface TrialBalance {
  readonly accounts: readonly (AccountTotals & { readonly balance: number })[];
  readonly totalDebits: number;
  readonly totalCredits: number;
}

/**
 * The journal transaction of an event: a confirm debits PSP clearing and credits each seller's
 * payable; a cancel is the reversing transaction for the canceled amount (entries are never
 * updated). A failure moves no money. PSP clearing takes the sum of the sellers' amounts, so
 * the transaction balances by construction.
 */
export function journalFor(event: DomainEvent): JournalTransaction | undefined {
  if (event.type === 'PaymentFailed') return undefined;
  const bySeller = [...amountsBySeller(event.items)];
  const total = sumAmounts(bySeller.map(([, amount]) => amount));
  // A confirm debits clearing and credits payables; its reversal swaps the sides.
  const confirm = event.type === 'PaymentConfirmed';
  const entry = (account: string, amount: number, debit: boolean): JournalEntry =>
    debit ? { account, debit: amount, credit: 0 } : { account, debit: 0, credit: amount };
  return {
    eventId: event.eventId,
    orderId: event.orderId,
    seq: event.seq,
    type: event.type,
    at: event.occurredAt,
    entries: [
      entry(PSP_CLEARING, total, confirm),
      ...bySeller.map(([sellerId, amount]) => entry(sellerPayable(sellerId), amount, !confirm)),
    ],
  };
}

/**
 * The PSP's fees of one settlement date, recorded when its rows arrive: what it keeps is an
 * expense, and the PSP owes us that much less. `revision` counts the date's fee transactions:
 * a later run that finds more rows records only the difference, as the next revision.
 */
export interface FeeTransaction {
  readonly transactionId: string;
  /** The settlement date (of the dateType the rows were read by) whose fees these are. */
  readonly date: string;
  readonly dateType: string;
  readonly revision: number;
  readonly type: 'PspFees';
  readonly at: string;
  /** What this transaction adds to the date's fees; negative when the PSP returned fees. */
  readonly amount: number;
  readonly entries: readonly JournalEntry[];
}

/** The transaction adding `amount` to a date's PSP fees; sides swap for a negative amount. */
export function feeTransaction(
  day: { readonly date: string; readonly dateType: string },
  revision: number,
  amount: number,
  at: string,
): FeeTransaction {
  const value = Math.abs(amount);
  const expense = { account: PSP_FEES, debit: amount > 0 ? value : 0, credit: amount > 0 ? 0 : value };
  const clearing = { account: PSP_CLEARING, debit: expense.credit, credit: expense.debit };
  return {
    transactionId: `FEES#${day.dateType}#${day.date}#${revision}`,
    date: day.date,
    dateType: day.dateType,
    revision,
    type: 'PspFees',
    at,
    amount,
    entries: [expense, clearing],
  };
}

/** The double-entry invariant: debits equal credits, and no entry is negative. */
export function isBalanced(transaction: Pick<JournalTransaction, 'entries'>): boolean {
  const { entries } = transaction;
  if (entries.some(({ debit, credit }) => debit < 0 || credit < 0)) return false;
  return sumAmounts(entries.map((e) => e.debit)) === sumAmounts(entries.map((e) => e.credit));
}

/** Balance is debits minus credits per account; over a balanced ledger both totals are equal. */
export function trialBalance(accounts: readonly AccountTotals[]): TrialBalance {
  return {
    accounts: accounts.map((a) => ({ ...a, balance: a.debits - a.credits })),
    totalDebits: sumAmounts(accounts.map((a) => a.debits)),
    totalCredits: sumAmounts(accounts.map((a) => a.credits)),
  };
}
