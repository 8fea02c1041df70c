import { type Caller, mayAct } from '../domain/ownership';
import {
  cancel,
  cancelKeyExpired,
  dropPendingCancel,
  type Payment,
  type PendingCancel,
  requestCancel,
} from '../domain/payment';
import type { PaymentStore, SaveOptions } from '../ports/payment-store';
import type { Deadline, PaymentGateway, PspPayment } from '../ports/psp';
import { type HttpOutcome, problemOutcome } from '../shared/http';
import { TransientOutcome } from '../shared/idempotent';
import { addMs, type Clock } from './clock';
import { canceledOutcome, orderNotFound, pspUnavailable, unknownOutcome } from './outcomes';
import { applyPspView } from './psp-view';

export interface CancelCommand {
  readonly orderId: string;
  /** The signed caller: the order's owner, or an operator. */
  readonly caller: Caller;
  readonly idempotencyKey: string;
  readonly cancelReason: string;
  readonly cancelAmount?: number;
}

export interface CancelSettings {
  /** When recovery takes over a cancel intent whose request died: past the cancel function's timeout. */
  readonly executingStaleAfterMs: number;
}

export interface CancelDeps {
  readonly store: PaymentStore;
  readonly psp: PaymentGateway;
  readonly clock: Clock;
  readonly settings: CancelSettings;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Time kept back from the function's deadline for answering; past it, recovery owns the cancel. */
const ANSWER_MARGIN_MS = 1_000;

function refusal(reason: string): TransientOutcome {
  if (reason === 'CANCEL_AMOUNT_EXCEEDS_BALANCE') {
    return new TransientOutcome(
      problemOutcome({
        status: 422,
        code: reason,
        title: 'Cancel amount exceeds balance',
        detail: 'The cancel amount is larger than what remains of the payment (less cancels in progress).',
      }),
    );
  }
  return new TransientOutcome(
    problemOutcome({
      status: 409,
      code: 'INVALID_STATE',
      title: 'Payment cannot be canceled',
      detail: 'Only a SUCCESS or PARTIAL_CANCELED payment can be canceled.',
    }),
  );
}

/** The PSP key of one cancel: per order and per client key, so retries replay at the PSP. */
export function pspCancelKey(orderId: string, idempotencyKey: string): string {
  return `cancel-${orderId}-${idempotencyKey}`;
}

/** The cancel the PSP just made for `amount`: Toss appends each cancel to the payment's list. */
export function cancelMadeFor(payment: PspPayment, amount: number): string | undefined {
  return payment.cancels.findLast((c) => c.cancelAmount === amount)?.transactionKey;
}

/** One optimistic step on the payment: what to write (if anything) and what it leads to. */
export type Step<T> = { readonly write?: Payment; readonly options?: SaveOptions; readonly result: T };

/**
 * Reads the payment, decides, and writes, again on a fresh read whenever another writer won, for as
 * long as the deadline allows; undefined when it ran out (recovery finishes what is left).
 */
export async function untilSaved<T>(
  deps: Pick<CancelDeps, 'store' | 'sleep'>,
  orderId: string,
  deadline: Deadline,
  decide: (payment: Payment) => Step<T>,
): Promise<T | undefined> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; deadline.remainingMs() > ANSWER_MARGIN_MS; attempt++) {
    const payment = await deps.store.get(orderId);
    if (!payment) throw orderNotFound(orderId);
    const step = decide(payment);
    if (!step.write || (await deps.store.save(payment, step.write, step.options))) return step.result;
    // Lost to a concurrent write: spread the retries so contenders do not collide again.
    await sleep(Math.random() * Math.min(100, 5 * 2 ** attempt));
  }
  return undefined;
}

/**
 * A cancel is recorded at most once, by the payment itself: the intent (request key and amount) is
 * saved before the PSP is asked, reserving its amount; the PSP's cancel is then recorded by its
 * transaction key, which the payment refuses to hold twice. Whatever this request cannot finish
 * before its deadline, recovery finishes from the intent.
 */
export function cancelUseCase(deps: CancelDeps) {
  return async (command: CancelCommand, deadline: Deadline): Promise<HttpOutcome> => {
    const { orderId } = command;
    const requestKey = pspCancelKey(orderId, command.idempotencyKey);
    type Intent =
      | { readonly applied: Payment }
      | { readonly paymentKey: string; readonly refundableAmount: number; readonly pending: PendingCancel };
    const intent = await untilSaved(deps, orderId, deadline, (payment): Step<Intent> => {
      if (!mayAct(payment, command.caller, 'cancel')) throw orderNotFound(orderId);
      const now = deps.clock();
      const asked = requestCancel(payment, { ...command, requestKey, at: now.toISOString() });
      if (!asked.ok) throw refusal(asked.reason);
      if (asked.kind === 'applied') return { result: { applied: payment } };
      const fresh = asked.payment !== payment;
      return {
        write: fresh ? asked.payment : undefined,
        options: { recoveryDueAt: addMs(now, deps.settings.executingStaleAfterMs) },
        result: {
          paymentKey: payment.paymentKey ?? '',
          refundableAmount: payment.balanceAmount,
          pending: asked.pending,
        },
      };
    });
    // Nothing was asked of the PSP yet: the client may simply retry.
    if (!intent) throw unknownOutcome(orderId);
    if ('applied' in intent) return canceledOutcome(intent.applied);
    return await execute(deps, orderId, intent, deadline);
  };
}

async function execute(
  deps: CancelDeps,
  orderId: string,
  intent: { readonly paymentKey: string; readonly refundableAmount: number; readonly pending: PendingCancel },
  deadline: Deadline,
): Promise<HttpOutcome> {
  const { pending } = intent;
  // A retry after the PSP may have forgotten the key is never sent: the PSP's record decides.
  const result = cancelKeyExpired(pending, deps.clock())
    ? ({ kind: 'unknown', code: 'PSP_KEY_EXPIRED', message: 'not asked again' } as const)
    : await deps.psp.cancel(
        {
          paymentKey: intent.paymentKey,
          cancelReason: pending.reason,
          cancelAmount: pending.amount,
          refundableAmount: intent.refundableAmount,
          idempotencyKey: pending.requestKey,
        },
        deadline,
      );
  if (result.kind === 'unknown' || result.kind === 'refused') {
    const settled = await settleFromPspRecord(deps, orderId, pending, result.kind === 'refused', deadline);
    if (settled === undefined || settled.intentOpen) throw unknownOutcome(orderId);
    // Made, or nothing left to cancel at the PSP: the payment as it now stands answers.
    if (result.kind === 'unknown' || settled.payment.status === 'CANCELED') {
      return canceledOutcome(settled.payment);
    }
    return cancelRefused(
      result.code,
      `${result.message} The PSP's record is applied: the balance is now ${settled.payment.balanceAmount}; retry with a new Idempotency-Key if a cancel is still wanted.`,
    );
  }
  if (result.kind !== 'approved') {
    // The PSP did not cancel: release the reservation. If that cannot be saved, recovery re-asks.
    await untilSaved(deps, orderId, deadline, (payment) => ({
      write: dropPendingCancel(payment, { requestKey: pending.requestKey, at: deps.clock().toISOString() }),
      result: true,
    }));
    if (result.kind === 'unavailable') throw pspUnavailable();
    return cancelRefused(result.code, result.message);
  }
  const transactionKey = cancelMadeFor(result.payment, pending.amount);
  if (transactionKey === undefined) throw unknownOutcome(orderId);
  const recorded = await recordPspCancel(deps, orderId, { ...pending, transactionKey }, deadline);
  // Past the deadline the intent stays: recovery records it, the client's retry answers it.
  if (!recorded) throw unknownOutcome(orderId);
  return canceledOutcome(recorded);
}

function cancelRefused(code: string, detail: string): HttpOutcome {
  return problemOutcome({ status: 422, code, title: 'Cancel declined by the PSP', detail });
}

/**
 * The PSP's answer to a cancel gave no verdict (unknown), or refused it because its payment is not
 * what we hold: its own record decides. Its DONE cancels are recorded by transaction key through the
 * record-once rule. After an unknown answer, an unrecorded cancel of the intent's amount is taken as
 * the intent's own when no other intent of ours is in flight (nothing else of ours could have made
 * it), and an intent not found made stays for recovery. A refused intent was not made under its key:
 * it is released even when the PSP's record cannot be applied now; while other cancels of ours are
 * in flight, their own answers record what the PSP made. Undefined when the intent stays and the
 * payment could not be brought to the PSP's record.
 */
export async function settleFromPspRecord(
  deps: Pick<CancelDeps, 'store' | 'psp' | 'clock' | 'sleep'>,
  orderId: string,
  pending: PendingCancel,
  refused: boolean,
  deadline: Deadline,
  known?: PspPayment,
): Promise<{ readonly payment: Payment; readonly intentOpen: boolean } | undefined> {
  if (!refused) {
    const applied = await applyPspRecord(deps, orderId, pending, false, deadline, known);
    return applied && { payment: applied, intentOpen: isPending(applied, pending) };
  }
  // Other cancels of ours in flight record their own; recording them here only adds contention.
  const current = await deps.store.get(orderId);
  if (!current) throw orderNotFound(orderId);
  const othersInFlight = (current.pendingCancels ?? []).some((p) => p.requestKey !== pending.requestKey);
  if (!othersInFlight) await applyPspRecord(deps, orderId, pending, true, deadline, known);
  const released = await untilSaved(deps, orderId, deadline, (latest) => {
    if (!isPending(latest, pending)) return { result: latest };
    const write = dropPendingCancel(latest, {
      requestKey: pending.requestKey,
      at: deps.clock().toISOString(),
    });
    return { write, result: write };
  });
  return released && { payment: released, intentOpen: false };
}

function isPending(payment: Payment, pending: PendingCancel): boolean {
  return payment.pendingCancels?.some((p) => p.requestKey === pending.requestKey) ?? false;
}

/** Looks at the PSP again when its record and ours moved apart meanwhile (concurrent cancels). */
const SETTLE_ATTEMPTS = 3;

/** Brings the payment to the PSP's record; the payment as recorded, or undefined if that failed. */
async function applyPspRecord(
  deps: Pick<CancelDeps, 'store' | 'psp' | 'clock' | 'sleep'>,
  orderId: string,
  pending: PendingCancel,
  refused: boolean,
  deadline: Deadline,
  known?: PspPayment,
): Promise<Payment | undefined> {
  // A refused intent is released whatever happens here: one look is enough.
  const attempts = refused ? 1 : SETTLE_ATTEMPTS;
  for (let attempt = 0; attempt < attempts && deadline.remainingMs() > ANSWER_MARGIN_MS; attempt++) {
    const view = attempt === 0 && known ? known : await lookUp(deps, orderId, deadline);
    if (view === undefined) return undefined;
    const before = await deps.store.get(orderId);
    if (!before) throw orderNotFound(orderId);
    const held = new Set((before.cancels ?? []).map((c) => c.transactionKey));
    const alone = (before.pendingCancels ?? []).every((p) => p.requestKey === pending.requestKey);
    const own =
      refused || !alone
        ? undefined
        : view.cancels.findLast((c) => !held.has(c.transactionKey) && c.cancelAmount === pending.amount);
    const made = own && { ...pending, transactionKey: own.transactionKey };
    if (made && !(await recordPspCancel(deps, orderId, made, deadline))) return undefined;
    // The PSP's other cancels (console, answers lost, concurrent requests), each by its transaction key.
    const current = await deps.store.get(orderId);
    if (!current) throw orderNotFound(orderId);
    const applied = await applyPspView(deps, current, view);
    if (applied.kind === 'applied') return applied.payment;
    if (applied.kind === 'notApproved') return current;
  }
  return undefined;
}

async function lookUp(
  deps: Pick<CancelDeps, 'psp'>,
  orderId: string,
  deadline: Deadline,
): Promise<PspPayment | undefined> {
  const lookup = await deps.psp.findByOrderId(orderId, deadline);
  return lookup.kind === 'found' ? lookup.payment : undefined;
}

/**
 * Records one cancel the PSP made, by its transaction key, settling the intent of the same request
 * key; a key already recorded only clears the intent. The payment as recorded, or undefined when the
 * deadline came first.
 */
export function recordPspCancel(
  deps: Pick<CancelDeps, 'store' | 'clock' | 'sleep'>,
  orderId: string,
  made: {
    readonly transactionKey: string;
    readonly amount: number;
    readonly reason: string;
    readonly requestKey?: string;
  },
  deadline: Deadline,
): Promise<Payment | undefined> {
  return untilSaved(deps, orderId, deadline, (payment): Step<Payment> => {
    const at = deps.clock().toISOString();
    const { transactionKey, requestKey } = made;
    const next = cancel(payment, {
      at,
      transactionKey,
      requestKey,
      cancelAmount: made.amount,
      cancelReason: made.reason,
    });
    if (next.ok) return { write: next.payment, options: { event: next.event }, result: next.payment };
    const stillPending =
      requestKey !== undefined && payment.pendingCancels?.some((p) => p.requestKey === requestKey);
    if (next.reason === 'CANCEL_ALREADY_RECORDED' && stillPending) {
      const cleared = dropPendingCancel(payment, { requestKey, at });
      return { write: cleared, result: cleared };
    }
    if (next.reason === 'CANCEL_ALREADY_RECORDED') return { result: payment };
    throw new Error(`PSP cancel ${transactionKey} of ${orderId} cannot be recorded: ${next.reason}`);
  });
}
