import { sumAmounts } from './money';

/**
 * Splits `total` across `weights` in proportion, in integers, by the largest-remainder method:
 * the shares always sum to exactly `total`, and no share exceeds its weight (given total ≤ Σweights).
 * BigInt keeps `total × weight` exact where it would pass 2^53.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[] {
  const weightSum = sumAmounts(weights);
  if (!Number.isSafeInteger(total) || total < 0 || total > weightSum) {
    throw new RangeError('total must be an integer between 0 and the sum of the weights');
  }
  if (total === 0) return weights.map(() => 0);

  const divisor = BigInt(weightSum);
  const parts = weights.map((weight, index) => {
    const scaled = BigInt(total) * BigInt(weight);
    return { index, share: Number(scaled / divisor), remainder: scaled % divisor };
  });
  // The floors fall short by fewer units than there are non-zero remainders; hand one unit each to
  // the largest remainders (ties: earlier line first) so the result is deterministic.
  let shortfall = total - sumAmounts(parts.map((part) => part.share));
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const part of byRemainder) {
    if (shortfall === 0) break;
    part.share += 1;
    shortfall -= 1;
  }
  return parts.map((part) => part.share);
}
