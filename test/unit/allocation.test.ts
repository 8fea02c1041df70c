import fc from 'fast-check';
import { allocateProportionally } from '../../lambdas/domain/allocation';
import { MAX_AMOUNT } from '../../lambdas/domain/money';

describe('allocateProportionally', () => {
  it.each([
    [1_000, [1_000, 2_000, 3_000], [167, 333, 500]],
    [6_000, [1_000, 2_000, 3_000], [1_000, 2_000, 3_000]],
    [1, [1_000, 2_000, 3_000], [0, 0, 1]],
    [2, [1, 1, 1], [1, 1, 0]],
    [0, [5, 7], [0, 0]],
    [3, [0, 3], [0, 3]],
  ])('splits %p over %p as %p', (total, weights, expected) => {
    expect(allocateProportionally(total, weights)).toEqual(expected);
  });

  it('refuses a total above the sum of the weights', () => {
    expect(() => allocateProportionally(7, [3, 3])).toThrow(RangeError);
  });

  it('sums exactly to the total, never exceeds a weight, and stays within one unit of the exact share', () => {
    const case_ = fc
      .array(fc.integer({ min: 0, max: MAX_AMOUNT / 10 }), { minLength: 1, maxLength: 10 })
      .filter((weights) => weights.some((weight) => weight > 0))
      .chain((weights) =>
        fc.tuple(fc.constant(weights), fc.integer({ min: 0, max: weights.reduce((a, b) => a + b, 0) })),
      );
    fc.assert(
      fc.property(case_, ([weights, total]) => {
        const shares = allocateProportionally(total, weights);
        const weightSum = weights.reduce((a, b) => a + b, 0);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        shares.forEach((share, index) => {
          const weight = weights[index] ?? 0;
          expect(Number.isInteger(share)).toBe(true);
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(weight);
          expect(Math.abs(share - (total * weight) / weightSum)).toBeLessThan(1 + 1e-3);
        });
      }),
    );
  });
});
