import { randomBytes } from 'node:crypto';
import { TossError } from './errors';
import type { IdempotencyEntries } from './idempotency';
import type { Action } from './scenarios';

export type PaymentStatus =
  | 'READY'
  | 'IN_PROGRESS'
  | 'DONE'
  | 'CANCELED'
  | 'PARTIAL_CANCELED'
  | 'ABORTED'
  | 'EXPIRED';

/** Toss: once the buyer has authenticated, the merchant has 10 minutes to confirm, then the payment expires. */
export const AUTHENTICATED_SESSION_MS = 10 * 60 * 1000;

export interface CancelRecord {
  transactionKey: string;
  cancelReason: string;
  cancelAmount: number;
  canceledAt: Date;
  /** The balance left after this cancel. */
  refundableAmount: number;
}

/** One order at the PSP: the buyer's payment session and, once confirmed, its payment. */
export interface Order {
  orderId: string;
  orderName?: string;
  paymentKey: string;
  amount: number;
  balanceAmount: number;
  status: PaymentStatus;
  requestedAt: Date;
  approval: { transactionKey: string; approvedAt: Date } | null;
  failure: { code: string; message: string } | null;
  cancels: CancelRecord[];
  /** Every confirm / cancel call that reached the order, replays and errors included. */
  confirmCalls: number;
  cancelCalls: number;
  /** Lookups by orderId (GET /v1/payments/orders/{orderId}); absent in journals from before it was counted. */
  lookupCalls?: number;
}

export interface SessionRequest {
  orderId: string;
  amount: number;
  orderName?: string;
}

export const newTransactionKey = () => randomBytes(16).toString('hex').toUpperCase();

/**
 * A map that remembers which keys were written, deleted or looked up since the last `takeTouched`
 * (a looked-up order may be changed in place), so a journal can record just those.
 */
export class TouchedMap<K, V> extends Map<K, V> {
  private touched = new Set<K>();

  override get(key: K): V | undefined {
    this.touched.add(key);
    return super.get(key);
  }

  override set(key: K, value: V): this {
    this.touched.add(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.touched.add(key);
    return super.delete(key);
  }

  /** A read that does not count as a touch. */
  peek(key: K): V | undefined {
    return super.get(key);
  }

  takeTouched(): K[] {
    const keys = [...this.touched];
    this.touched = new Set();
    return keys;
  }
}

/** How GET /v1/settlements answers (POST /__sim/settlements); a test knob, not journaled. */
export interface SettlementControl {
  /** Each page answers after this long, as Toss's may (up to 60 s). */
  pageDelayMs: number;
  /** The instant the settlement data is served as of (rows appear from the day after theirs); now if absent. */
  asOf?: Date;
}

/** Everything the simulator remembers; a reset replaces the whole object. */
export class SimState {
  readonly settlements: SettlementControl = { pageDelayMs: 0 };
  readonly orders = new TouchedMap<string, Order>();
  readonly orderIdByPaymentKey = new Map<string, string>();
  readonly scenarios = new TouchedMap<string, Action[]>();
  readonly idempotency: IdempotencyEntries = new TouchedMap();

  orderByPaymentKey(paymentKey: string): Order | undefined {
    const orderId = this.orderIdByPaymentKey.get(paymentKey);
    return orderId === undefined ? undefined : this.orders.get(orderId);
  }

  /**
   * The buyer authenticates in the payment window. A session not yet processed (or declined)
   * may be reopened and gets a new paymentKey, as a buyer retrying the window would.
   */
  openSession(request: SessionRequest, now: Date): Order {
    const previous = this.orders.get(request.orderId);
    if (previous && !['READY', 'ABORTED', 'EXPIRED'].includes(previous.status)) {
      throw new TossError('DUPLICATED_ORDER_ID');
    }
    if (previous) this.orderIdByPaymentKey.delete(previous.paymentKey);
    const order: Order = {
      ...request,
      paymentKey: `tsim_${randomBytes(12).toString('hex')}`,
      balanceAmount: request.amount,
      status: 'READY',
      requestedAt: now,
      approval: null,
      failure: null,
      cancels: [],
      confirmCalls: previous?.confirmCalls ?? 0,
      cancelCalls: previous?.cancelCalls ?? 0,
    };
    this.orders.set(order.orderId, order);
    this.orderIdByPaymentKey.set(order.paymentKey, order.orderId);
    return order;
  }

  /** A session not confirmed within its window is EXPIRED from then on; true if that happened now. */
  expireIfStale(order: Order, now: Date): boolean {
    if (order.status !== 'READY' || now.getTime() - order.requestedAt.getTime() < AUTHENTICATED_SESSION_MS) {
      return false;
    }
    order.status = 'EXPIRED';
    return true;
  }

  /** The next queued fault-injection action for the order, consumed. */
  takeAction(orderId: string): Action | undefined {
    const queue = this.scenarios.get(orderId);
    const action = queue?.shift();
    if (queue?.length === 0) this.scenarios.delete(orderId);
    return action;
  }
}
