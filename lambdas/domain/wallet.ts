import type { DomainEvent, EventLine } from './events';
import { sumAmounts } from './money';

/** A change to one seller's wallet balance, in minor units (negative for a cancel). */
export interface BalanceDelta {
  readonly sellerId: string;
  readonly delta: number;
}

/**
 * Totals per seller, in order of first appearance: a seller with several lines appears once,
 * because one transaction may touch each stored item (wallet, ledger account) only once.
 */
export function amountsBySeller(items: readonly EventLine[]): Map<string, number> {
  const lines = new Map<string, number[]>();
  for (const { sellerId, amount } of items) {
    const amounts = lines.get(sellerId) ?? [];
    amounts.push(amount);
    lines.set(sellerId, amounts);
  }
  return new Map([...lines].map(([sellerId, amounts]) => [sellerId, sumAmounts(amounts)]));
}

/**
 * How an event moves sellers' balances: a confirm credits each seller its lines, a cancel takes
 * back what its lines say was canceled (they carry the canceled amounts), a reversed deposit takes back
 * the confirm's credit, a failure changes nothing.
 */
export function walletDeltas(event: DomainEvent): BalanceDelta[] {
  const deltas = (sign: 1 | -1) =>
    [...amountsBySeller(event.items)].map(([sellerId, amount]) => ({ sellerId, delta: sign * amount }));
  switch (event.type) {
    case 'PaymentConfirmed':
      return deltas(1);
    case 'PaymentCanceled':
    case 'PaymentDepositReversed':
      return deltas(-1);
    case 'PaymentFailed':
      return [];
  }
}
