import { allocateProportionally } from './allocation';
import { type DomainEvent, type EventHeader, type EventLine, eventId } from './events';
import { amountError, type Currency, MAX_AMOUNT, sumAmounts } from './money';

export const PAYMENT_STATUSES = [
  'NOT_STARTED',
  'EXECUTING',
  'SUCCESS',
  'FAILURE',
  'UNKNOWN',
  'CANCELED',
  'PARTIAL_CANCELED',
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** The whole state machine: anything not listed is forbidden. FAILURE and CANCELED are final. */
const NEXT_STATUSES: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  NOT_STARTED: ['EXECUTING'],
  // NOT_STARTED / UNKNOWN again: the PSP refused to hear the confirm (unknown session, auth error).
  EXECUTING: ['SUCCESS', 'FAILURE', 'UNKNOWN', 'NOT_STARTED'],
  // Recovery either re-confirms (→ EXECUTING) or resolves from the PSP's answer.
  UNKNOWN: ['EXECUTING', 'SUCCESS', 'FAILURE', 'NOT_STARTED'],
  SUCCESS: ['CANCELED', 'PARTIAL_CANCELED'],
  PARTIAL_CANCELED: ['PARTIAL_CANCELED', 'CANCELED'],
  // Only the PSP's word finalises: a payment it shows approved is corrected to SUCCESS.
  FAILURE: ['SUCCESS'],
  CANCELED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT_STATUSES[from].includes(to);
}

export interface CheckoutItem {
  readonly sellerId: string;
  readonly productId: string;
  readonly amount: number;
}

export interface PaymentItem extends CheckoutItem {
  /** What of this line is not canceled yet; the items' balances always sum to the payment's. */
  readonly balanceAmount: number;
}

/** A cancel the PSP made and we recorded, by its transaction key (Toss `cancels[].transactionKey`). */
export interface AppliedCancel {
  readonly transactionKey: string;
  readonly amount: number;
  /** The PSP idempotency key of our cancel request; absent for cancels made elsewhere (PSP console). */
  readonly requestKey?: string;
}

/** A cancel we are about to ask the PSP for: durable before the call, so recovery can finish it. */
export interface PendingCancel {
  readonly requestKey: string;
  readonly amount: number;
  readonly reason: string;
  readonly at: string;
}

/**
 * Toss keeps an idempotency key 15 days from its first use; a day earlier we stop trusting it, so
 * an intent is never re-sent under a key the PSP may have forgotten (that would cancel twice).
 */
export const PSP_CANCEL_KEY_TRUSTED_MS = 14 * 24 * 60 * 60 * 1000;

/** Past this, the intent's PSP key may have expired: only the PSP's record can settle it now. */
export function cancelKeyExpired(pending: PendingCancel, now: Date): boolean {
  return now.getTime() - Date.parse(pending.at) >= PSP_CANCEL_KEY_TRUSTED_MS;
}

export interface PaymentFailure {
  readonly code: string;
  readonly message: string;
}

export interface Payment {
  readonly orderId: string;
  /** The principal that created the order (see ownership.ts); absent on orders from before owners. */
  readonly owner?: string;
  readonly buyerId: string;
  readonly orderName: string;
  readonly currency: Currency;
  readonly amount: number;
  readonly balanceAmount: number;
  readonly items: readonly PaymentItem[];
  readonly status: PaymentStatus;
  /** Set when execution starts, so recovery can re-confirm with the same key. */
  readonly paymentKey?: string;
  readonly approvedAt?: string;
  readonly failure?: PaymentFailure;
  /** Every PSP cancel applied to the payment: a transaction key is recorded at most once. */
  readonly cancels?: readonly AppliedCancel[];
  /** Cancels asked of the PSP whose outcome is not recorded yet; they reserve their amount. */
  readonly pendingCancels?: readonly PendingCancel[];
  /** +1 on every accepted transition: the optimistic-concurrency token of the stored item. */
  readonly version: number;
  /** Seq of the latest emitted event; +1 per event. */
  readonly eventSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Checkout {
  readonly orderId: string;
  readonly owner?: string;
  readonly buyerId: string;
  readonly orderName: string;
  readonly currency: Currency;
  readonly items: readonly CheckoutItem[];
  readonly createdAt: string;
}

export type Refusal =
  | 'NO_ITEMS'
  | 'INVALID_AMOUNT'
  | 'INVALID_STATE'
  | 'AMOUNT_MISMATCH'
  | 'PAYMENT_KEY_MISMATCH'
  | 'CANCEL_AMOUNT_EXCEEDS_BALANCE'
  | 'CANCEL_ALREADY_RECORDED';

/** Business refusals are values, not exceptions: callers inside idempotent functions must not throw them. */
export interface Refused {
  readonly ok: false;
  readonly reason: Refusal;
}

export type Created = { readonly ok: true; readonly payment: Payment } | Refused;

export type Transition =
  | { readonly ok: true; readonly payment: Payment; readonly event?: DomainEvent }
  | Refused;

export function createPayment(checkout: Checkout): Created {
  if (checkout.items.length === 0) return refuse('NO_ITEMS');
  if (checkout.items.some((item) => amountError(item.amount) !== undefined)) return refuse('INVALID_AMOUNT');
  const amount = sumAmounts(checkout.items.map((item) => item.amount));
  if (amount > MAX_AMOUNT) return refuse('INVALID_AMOUNT');
  return {
    ok: true,
    payment: {
      orderId: checkout.orderId,
      ...(checkout.owner === undefined ? {} : { owner: checkout.owner }),
      buyerId: checkout.buyerId,
      orderName: checkout.orderName,
      currency: checkout.currency,
      amount,
      balanceAmount: amount,
      items: checkout.items.map(({ sellerId, productId, amount }) => ({
        sellerId,
        productId,
        amount,
        balanceAmount: amount,
      })),
      status: 'NOT_STARTED',
      version: 1,
      eventSeq: 0,
      createdAt: checkout.createdAt,
      updatedAt: checkout.createdAt,
    },
  };
}

/** `at` is the caller's clock (ISO-8601): it becomes `updatedAt` and the event's `occurredAt`. */
interface Command {
  readonly at: string;
}

/** The amount is checked against the checkout here, so a mismatch never reaches the PSP. */
export function startExecution(
  payment: Payment,
  command: Command & { readonly paymentKey: string; readonly amount: number },
): Transition {
  return advance(payment, 'EXECUTING', command.at, () => {
    if (command.amount !== payment.amount) return 'AMOUNT_MISMATCH';
    if (payment.paymentKey !== undefined && payment.paymentKey !== command.paymentKey) {
      return 'PAYMENT_KEY_MISMATCH';
    }
    return { changes: { paymentKey: command.paymentKey } };
  });
}

/** `paymentKey` and `approvedAt` come from the PSP, which is the source of truth for them. */
export function approve(
  payment: Payment,
  command: Command & { readonly paymentKey: string; readonly approvedAt: string },
): Transition {
  const { paymentKey, approvedAt } = command;
  // From FAILURE too: the PSP's approval outranks a failure we recorded (its event follows PaymentFailed).
  return advance(payment, 'SUCCESS', command.at, () => ({
    changes: { paymentKey, approvedAt, failure: undefined },
    emit: (header) => ({
      ...header,
      type: 'PaymentConfirmed',
      amount: payment.amount,
      items: lines(payment.items, (item) => item.amount),
      paymentKey,
      approvedAt,
    }),
  }));
}

export function decline(
  payment: Payment,
  command: Command & { readonly code: string; readonly message: string },
): Transition {
  const failure = { code: command.code, message: command.message };
  return advance(payment, 'FAILURE', command.at, () => ({
    changes: { failure },
    emit: (header) => ({
      ...header,
      type: 'PaymentFailed',
      amount: payment.amount,
      items: lines(payment.items, (item) => item.amount),
      failure,
    }),
  }));
}

/** The PSP's answer is not known yet: recovery owns the payment from here. */
export function markUnknown(payment: Payment, command: Command): Transition {
  return advance(payment, 'UNKNOWN', command.at, () => ({ changes: {} }));
}

/**
 * The PSP refused to hear the confirm (it never knew that paymentKey for this order, or our
 * credentials were refused): the payment is confirmable again, NOT_STARTED without a paymentKey,
 * or UNKNOWN (same key kept) when an earlier attempt may have reached the PSP.
 */
export function reopen(
  payment: Payment,
  command: Command & { readonly pspMayHaveActed: boolean },
): Transition {
  if (command.pspMayHaveActed) return markUnknown(payment, command);
  return advance(payment, 'NOT_STARTED', command.at, () => ({ changes: { paymentKey: undefined } }));
}

/** The outcome of asking to cancel: the intent recorded, or the cancel already applied for this key. */
export type CancelIntent =
  | {
      readonly ok: true;
      readonly kind: 'pending';
      readonly payment: Payment;
      readonly pending: PendingCancel;
    }
  | { readonly ok: true; readonly kind: 'applied'; readonly payment: Payment }
  | Refused;

/**
 * Records the intent to cancel before the PSP is asked, reserving its amount against the balance
 * left by other pending cancels. The same request key finds its own intent (or its applied cancel).
 */
export function requestCancel(
  payment: Payment,
  command: Command & {
    readonly requestKey: string;
    readonly cancelAmount?: number;
    readonly cancelReason: string;
  },
): CancelIntent {
  // Applied already answers before the status: a full cancel leaves the payment CANCELED.
  if (payment.cancels?.some((c) => c.requestKey === command.requestKey)) {
    return { ok: true, kind: 'applied', payment };
  }
  if (payment.status !== 'SUCCESS' && payment.status !== 'PARTIAL_CANCELED') return refuse('INVALID_STATE');
  const pendings = payment.pendingCancels ?? [];
  const own = pendings.find((p) => p.requestKey === command.requestKey);
  if (own) return { ok: true, kind: 'pending', payment, pending: own };
  const available = payment.balanceAmount - sumAmounts(pendings.map((p) => p.amount));
  const amount = command.cancelAmount ?? available;
  if (amount > available) return refuse('CANCEL_AMOUNT_EXCEEDS_BALANCE');
  if (amountError(amount) !== undefined)
    return refuse(amount === 0 ? 'CANCEL_AMOUNT_EXCEEDS_BALANCE' : 'INVALID_AMOUNT');
  const pending = { requestKey: command.requestKey, amount, reason: command.cancelReason, at: command.at };
  return {
    ok: true,
    kind: 'pending',
    payment: amend(payment, command.at, { pendingCancels: [...pendings, pending] }),
    pending,
  };
}

/** The PSP declined the cancel (or it was found not to have happened): its reservation is released. */
export function dropPendingCancel(
  payment: Payment,
  command: Command & { readonly requestKey: string },
): Payment {
  const pendingCancels = (payment.pendingCancels ?? []).filter((p) => p.requestKey !== command.requestKey);
  return amend(payment, command.at, { pendingCancels });
}

/** A change that is no transition of the state machine: same status, no event, version+1. */
function amend(payment: Payment, at: string, changes: Partial<Pick<Payment, 'pendingCancels'>>): Payment {
  return { ...payment, ...changes, version: payment.version + 1, updatedAt: at };
}

/**
 * Records a cancel the PSP made: `cancelAmount` (absent = the whole balance), spread over the lines
 * in proportion to what each has left, so every seller gives back its share and no line goes below
 * zero. A PSP transaction key is recorded at most once; recording it settles the pending cancel of
 * the same request key.
 */
export function cancel(
  payment: Payment,
  command: Command & {
    readonly cancelAmount?: number;
    readonly cancelReason: string;
    readonly transactionKey?: string;
    readonly requestKey?: string;
  },
): Transition {
  const cancelAmount = command.cancelAmount ?? payment.balanceAmount;
  const balanceAmount = payment.balanceAmount - cancelAmount;
  const { transactionKey, requestKey } = command;
  // Before the status check: the cancel that made the payment CANCELED is "already recorded", not "invalid".
  if (transactionKey !== undefined && payment.cancels?.some((c) => c.transactionKey === transactionKey)) {
    return refuse('CANCEL_ALREADY_RECORDED');
  }
  return advance(payment, balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED', command.at, () => {
    if (amountError(cancelAmount) !== undefined) return 'INVALID_AMOUNT';
    if (balanceAmount < 0) return 'CANCEL_AMOUNT_EXCEEDS_BALANCE';
    const shares = allocateProportionally(
      cancelAmount,
      payment.items.map((item) => item.balanceAmount),
    );
    const share = (index: number) => shares[index] ?? 0;
    const applied: AppliedCancel | undefined =
      transactionKey === undefined
        ? undefined
        : { transactionKey, amount: cancelAmount, ...(requestKey === undefined ? {} : { requestKey }) };
    return {
      changes: {
        balanceAmount,
        items: payment.items.map((item, index) => ({
          ...item,
          balanceAmount: item.balanceAmount - share(index),
        })),
        ...(applied ? { cancels: [...(payment.cancels ?? []), applied] } : {}),
        ...(requestKey === undefined || !payment.pendingCancels
          ? {}
          : { pendingCancels: payment.pendingCancels.filter((p) => p.requestKey !== requestKey) }),
      },
      emit: (header) => ({
        ...header,
        type: 'PaymentCanceled',
        amount: cancelAmount,
        items: lines(payment.items, (_, index) => share(index)),
        cancelReason: command.cancelReason,
        balanceAmount,
      }),
    };
  });
}

type Changes = Partial<
  Pick<
    Payment,
    'paymentKey' | 'approvedAt' | 'failure' | 'balanceAmount' | 'items' | 'cancels' | 'pendingCancels'
  >
>;

interface Step {
  readonly changes: Changes;
  readonly emit?: (header: EventHeader) => DomainEvent;
}

/**
 * The single place a transition happens: the state machine check comes first (so a forbidden
 * operation is always INVALID_STATE), then the operation's own checks, then version/eventSeq.
 */
function advance(payment: Payment, to: PaymentStatus, at: string, step: () => Step | Refusal): Transition {
  if (!canTransition(payment.status, to)) return refuse('INVALID_STATE');
  const outcome = step();
  if (typeof outcome === 'string') return refuse(outcome);
  const next: Payment = {
    ...payment,
    ...outcome.changes,
    status: to,
    version: payment.version + 1,
    updatedAt: at,
  };
  if (outcome.emit === undefined) return { ok: true, payment: next };
  const seq = payment.eventSeq + 1;
  const event = outcome.emit({
    eventId: eventId(payment.orderId, seq),
    orderId: payment.orderId,
    seq,
    occurredAt: at,
    buyerId: payment.buyerId,
    currency: payment.currency,
  });
  return { ok: true, payment: { ...next, eventSeq: seq }, event };
}

/** Event lines for the items, leaving out lines whose amount is 0 (untouched by a partial cancel). */
function lines(
  items: readonly PaymentItem[],
  amountOf: (item: PaymentItem, index: number) => number,
): EventLine[] {
  return items
    .map((item, index) => ({
      sellerId: item.sellerId,
      productId: item.productId,
      amount: amountOf(item, index),
    }))
    .filter((line) => line.amount > 0);
}

function refuse(reason: Refusal): Refused {
  return { ok: false, reason };
}
