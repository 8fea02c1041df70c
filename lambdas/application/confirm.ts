import { mayAct } from '../domain/ownership';
import { approve, decline, markUnknown, type Payment, reopen } from '../domain/payment';
import type { PaymentStore } from '../ports/payment-store';
import type { Deadline, PaymentGateway } from '../ports/psp';
import type { HttpOutcome } from '../shared/http';
import { addMs, type Clock } from './clock';
import {
  amountMismatch,
  confirmedOutcome,
  failedOutcome,
  inProgress,
  keyReusedOutcome,
  orderNotFound,
  paymentSessionNotFound,
  pspUnavailable,
  unknownOutcome,
} from './outcomes';

export interface ConfirmCommand {
  readonly paymentKey: string;
  readonly orderId: string;
  readonly amount: number;
  /** The signed caller: only the order's owner may confirm it. */
  readonly owner: string;
}

export interface ConfirmSettings {
  /** How long EXECUTING may last before recovery looks at the payment. */
  readonly executingStaleAfterMs: number;
  /** When recovery first looks at an UNKNOWN payment. */
  readonly unknownFirstCheckAfterMs: number;
}

export interface ConfirmDeps {
  readonly store: PaymentStore;
  readonly psp: PaymentGateway;
  readonly clock: Clock;
  readonly settings: ConfirmSettings;
}

/**
 * Executes a payment at most once: the conditional EXECUTING transition admits one
 * request per order, the PSP is called with one idempotency key per payment session, and
 * the outcome (the payment item, its own outbox slot) and its event commit in one transaction.
 */
export function confirmUseCase(deps: ConfirmDeps) {
  return async (command: ConfirmCommand, deadline: Deadline): Promise<HttpOutcome> => {
    const now = deps.clock();
    const begun = await deps.store.beginExecution({
      ...command,
      at: now.toISOString(),
      recoveryDueAt: addMs(now, deps.settings.executingStaleAfterMs),
    });
    if (!begun.ok) return explainRefusal(command, begun.current);

    const executing = begun.payment;
    const { paymentKey, orderId, amount } = command;
    const result = await deps.psp.confirm({ paymentKey, orderId, amount }, deadline);
    const at = deps.clock();
    switch (result.kind) {
      case 'approved': {
        if (result.payment.totalAmount !== executing.amount) {
          // The PSP approved another amount: a person must look; recovery keeps it visible.
          return await settleUnknown(deps, executing, at);
        }
        const approvedAt = result.payment.approvedAt ?? at.toISOString();
        const next = approve(executing, {
          at: at.toISOString(),
          paymentKey: result.payment.paymentKey,
          approvedAt,
        });
        return await commit(deps, executing, next, command);
      }
      case 'declined': {
        const next = decline(executing, { at: at.toISOString(), code: result.code, message: result.message });
        return await commit(deps, executing, next, command);
      }
      case 'unknown':
      case 'refused':
        return await settleUnknown(deps, executing, at);
      case 'sessionNotFound':
      case 'unavailable': {
        // Not the PSP's word on this payment: it stays confirmable and nothing is stored.
        const pspMayHaveActed = begun.previousStatus !== 'NOT_STARTED';
        const next = reopen(executing, { at: at.toISOString(), pspMayHaveActed });
        if (next.ok) {
          const recoveryDueAt = addMs(at, deps.settings.unknownFirstCheckAfterMs);
          await deps.store.save(executing, next.payment, pspMayHaveActed ? { recoveryDueAt } : {});
        }
        throw result.kind === 'unavailable' ? pspUnavailable() : paymentSessionNotFound();
      }
    }
  };
}

/** Why the EXECUTING transition was refused, from the item the condition check returned. */
function explainRefusal(command: ConfirmCommand, current: Payment | undefined): HttpOutcome {
  // Another principal's order is answered like a missing one, before anything else is told.
  if (!current || !mayAct(current, { principal: command.owner, operator: false }, 'confirm'))
    throw orderNotFound(command.orderId);
  if (current.amount !== command.amount) throw amountMismatch();
  return replayOrRefuse(command, current);
}

/** A payment that already has an outcome answers with it; another paymentKey is a reuse. */
function replayOrRefuse(command: Omit<ConfirmCommand, 'owner'>, current: Payment): HttpOutcome {
  const samePayment = current.paymentKey === command.paymentKey;
  switch (current.status) {
    case 'SUCCESS':
    case 'PARTIAL_CANCELED':
    case 'CANCELED':
      if (samePayment) return confirmedOutcome(current);
      throw keyReusedOutcome();
    case 'FAILURE':
      if (samePayment) return failedOutcome(current);
      throw keyReusedOutcome();
    case 'EXECUTING':
      throw inProgress();
    case 'UNKNOWN':
      if (samePayment) throw unknownOutcome(current.orderId);
      throw keyReusedOutcome();
    case 'NOT_STARTED':
      // Same amount and admissible status, yet refused: a concurrent write raced us.
      throw inProgress();
  }
}

async function commit(
  deps: ConfirmDeps,
  executing: Payment,
  next: ReturnType<typeof approve>,
  command: ConfirmCommand,
): Promise<HttpOutcome> {
  if (!next.ok) throw new Error(`confirm transition refused: ${next.reason}`);
  if (await deps.store.save(executing, next.payment, { event: next.event })) {
    return next.payment.status === 'SUCCESS' ? confirmedOutcome(next.payment) : failedOutcome(next.payment);
  }
  // Someone else (recovery, reconciliation) settled it meanwhile: answer with what is stored.
  const current = await deps.store.get(executing.orderId);
  if (!current) throw orderNotFound(executing.orderId);
  return replayOrRefuse(command, current);
}

async function settleUnknown(deps: ConfirmDeps, executing: Payment, at: Date): Promise<HttpOutcome> {
  const next = markUnknown(executing, { at: at.toISOString() });
  const saved =
    next.ok &&
    (await deps.store.save(executing, next.payment, {
      recoveryDueAt: addMs(at, deps.settings.unknownFirstCheckAfterMs),
    }));
  if (saved) throw unknownOutcome(executing.orderId);
  // A webhook or recovery settled it meanwhile from the PSP's word: answer with that.
  const current = await deps.store.get(executing.orderId);
  if (!current) throw orderNotFound(executing.orderId);
  const { paymentKey = '', amount } = executing;
  return replayOrRefuse({ orderId: executing.orderId, paymentKey, amount }, current);
}
