import { amountError, CURRENCY_CODES, MAX_AMOUNT, sumAmounts } from '../../lambdas/domain/money';

describe('amount validation', () => {
  it.each([
    [1, undefined],
    [15_000, undefined],
    [MAX_AMOUNT, undefined],
    [0, 'AMOUNT_NOT_POSITIVE'],
    [-100, 'AMOUNT_NOT_POSITIVE'],
    [MAX_AMOUNT + 1, 'AMOUNT_TOO_LARGE'],
    [10.5, 'AMOUNT_NOT_INTEGER'],
    [Number.NaN, 'AMOUNT_NOT_INTEGER'],
    [Number.POSITIVE_INFINITY, 'AMOUNT_NOT_INTEGER'],
    [2 ** 53, 'AMOUNT_NOT_INTEGER'],
    ['1000', 'AMOUNT_NOT_INTEGER'],
    [undefined, 'AMOUNT_NOT_INTEGER'],
  ])('%p → %p', (amount, expected) => {
    expect(amountError(amount)).toBe(expected);
  });
});

describe('currencies', () => {
  it('accepts KRW only for now', () => {
    expect(CURRENCY_CODES).toEqual(['KRW']);
  });
});

describe('sumAmounts', () => {
  it('sums exactly, the empty sum being 0', () => {
    expect(sumAmounts([1_000, 2_000, 3_000])).toBe(6_000);
    expect(sumAmounts([])).toBe(0);
  });

  it('refuses a total past the safe integer range', () => {
    expect(() => sumAmounts([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});
