import type { Currency } from './money';

/** One seller's line in an event: for a cancel, `amount` is the part of that line being canceled. */
export interface EventLine {
  readonly sellerId: string;
  readonly productId: string;
  readonly amount: number;
}

interface EventBase {
  /** `<orderId>:<seq>`: stable across re-publishing, so it doubles as the FIFO deduplication id. */
  readonly eventId: string;
  readonly orderId: string;
  /** 1, 2, 3… per payment; consumers apply events strictly in this order. */
  readonly seq: number;
  readonly occurredAt: string;
  readonly buyerId: string;
  readonly amount: number;
  readonly currency: Currency;
  readonly items: readonly EventLine[];
}

export interface PaymentConfirmed extends EventBase {
  readonly type: 'PaymentConfirmed';
  readonly paymentKey: string;
  readonly approvedAt: string;
}

export interface PaymentFailed extends EventBase {
  readonly type: 'PaymentFailed';
  readonly failure: { readonly code: string; readonly message: string };
}

export interface PaymentCanceled extends EventBase {
  readonly type: 'PaymentCanceled';
  readonly cancelReason: string;
  /** What remains of the payment after this cancel; 0 for a full cancel. */
  readonly balanceAmount: number;
}

/**
 * The PSP took back a virtual-account deposit it had reported (Toss: DONE → WAITING_FOR_DEPOSIT, a
 * deposit error): what the confirm credited is reversed, line for line, until the buyer deposits again.
 */
export interface PaymentDepositReversed extends EventBase {
  readonly type: 'PaymentDepositReversed';
}

export type DomainEvent = PaymentConfirmed | PaymentFailed | PaymentCanceled | PaymentDepositReversed;
export type DomainEventType = DomainEvent['type'];

/** The fields every event of one payment transition shares; the transition adds the rest. */
export type EventHeader = Omit<EventBase, 'amount' | 'items'>;

export function eventId(orderId: string, seq: number): string {
  return `${orderId}:${seq}`;
}
