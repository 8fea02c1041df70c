import type { DomainEvent } from './events';
import { sumAmounts } from './money';
import { amountsBySeller } from './wallet';

/** Money the PSP owes us for approved payments, until it settles (an asset: debit-normal). */
export const PSP_CLEARING = 'psp-clearing';

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
  readonly type: Exclude<DomainEvent['type'], 'PaymentFailed'>;
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
 * payable; a cancel (or a reversed deposit) is the reversing transaction for its amount (entries are
 * never updated). A failure moves no money. PSP clearing takes the sum of the sellers' amounts, so
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
