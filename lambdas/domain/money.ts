/**
 * Money as integer minor units (KRW has none), so arithmetic is exact and
 * matches the PSP, which also speaks minor units.
 */

/** ISO 4217 currencies we accept, with their number of minor-unit digits. */
export const CURRENCIES = {
  KRW: { minorUnitDigits: 0 },
} as const;

export type Currency = keyof typeof CURRENCIES;

export const CURRENCY_CODES = Object.keys(CURRENCIES) as [Currency, ...Currency[]];

/** Upper bound for one amount and for a payment total: far above any real order, far below 2^53. */
export const MAX_AMOUNT = 1_000_000_000_000;

export type AmountError = 'AMOUNT_NOT_INTEGER' | 'AMOUNT_NOT_POSITIVE' | 'AMOUNT_TOO_LARGE';

/** Returns why `amount` is not a valid positive amount in minor units, or undefined when it is. */
export function amountError(amount: unknown): AmountError | undefined {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) return 'AMOUNT_NOT_INTEGER';
  if (amount <= 0) return 'AMOUNT_NOT_POSITIVE';
  if (amount > MAX_AMOUNT) return 'AMOUNT_TOO_LARGE';
  return undefined;
}

/** Sums integer amounts; throws on a non-safe result because that is a programming error, not a refusal. */
export function sumAmounts(amounts: Iterable<number>): number {
  let total = 0;
  for (const amount of amounts) total += amount;
  if (!Number.isSafeInteger(total)) throw new RangeError('sum of amounts is not a safe integer');
  return total;
}
