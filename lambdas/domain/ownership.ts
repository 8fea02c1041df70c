import type { Payment } from './payment';

/** Who is asking about an order: the signed principal, and whether it is one of the operators. */
export interface Caller {
  readonly principal: string;
  readonly operator: boolean;
}

export type OrderAction = 'read' | 'confirm' | 'cancel';

/**
 * An order belongs to the principal that created it. Operators may read and cancel every order
 * (support, refunds) but never confirm another's: confirming is the buyer's checkout finishing, which
 * only the shop that started it can carry on. An order without an owner predates owners: operators only.
 */
export function mayAct(payment: Pick<Payment, 'owner'>, caller: Caller, action: OrderAction): boolean {
  if (payment.owner !== undefined && payment.owner === caller.principal) return true;
  return caller.operator && action !== 'confirm';
}
