import { cancel, type Payment } from '../domain/payment';
import type { PaymentStore } from '../ports/payment-store';
import type { Deadline, PaymentGateway } from '../ports/psp';
import { type HttpOutcome, problemOutcome } from '../shared/http';
import { TransientOutcome } from '../shared/idempotent';
import type { Clock } from './clock';
import { canceledOutcome, orderNotFound, unknownOutcome } from './outcomes';

export interface CancelCommand {
  readonly orderId: string;
  readonly idempotencyKey: string;
  readonly cancelReason: string;
  readonly cancelAmount?: number;
}

export interface CancelDeps {
  readonly store: PaymentStore;
  readonly psp: PaymentGateway;
  readonly clock: Clock;
}

/** A stored write loses only to another cancel or a reconciliation; then the cancel is re-applied. */
const SAVE_ATTEMPTS = 5;

function refusal(reason: string): TransientOutcome {
  if (reason === 'CANCEL_AMOUNT_EXCEEDS_BALANCE') {
    return new TransientOutcome(
      problemOutcome({
        status: 422,
        code: reason,
        title: 'Cancel amount exceeds balance',
        detail: 'The cancel amount is larger than what remains of the payment.',
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

export function cancelUseCase(deps: CancelDeps) {
  return async (command: CancelCommand, deadline: Deadline): Promise<HttpOutcome> => {
    let payment = await deps.store.get(command.orderId);
    if (!payment) throw orderNotFound(command.orderId);
    const cancelKey = pspCancelKey(command.orderId, command.idempotencyKey);
    // Recorded by an earlier run of this request whose answer was lost (e.g. a crash before
    // the idempotency record completed): answer again, never cancel a second time.
    if (payment.cancelKeys?.includes(cancelKey)) return canceledOutcome(payment);
    const planned = cancel(payment, { ...command, at: deps.clock().toISOString() });
    if (!planned.ok) throw refusal(planned.reason);
    const cancelAmount = planned.event?.amount ?? 0;

    const result = await deps.psp.cancel(
      {
        paymentKey: payment.paymentKey ?? '',
        cancelReason: command.cancelReason,
        cancelAmount,
        idempotencyKey: cancelKey,
      },
      deadline,
    );
    if (result.kind === 'unknown') throw unknownOutcome(command.orderId);
    if (result.kind === 'declined') {
      return problemOutcome({
        status: 422,
        code: result.code,
        title: 'Cancel declined by the PSP',
        detail: result.message,
      });
    }
    // The PSP has canceled: record it, re-applying on a fresh read if another write won.
    for (let attempt = 0; attempt < SAVE_ATTEMPTS && payment; attempt++) {
      const next = cancel(payment, { ...command, cancelAmount, cancelKey, at: deps.clock().toISOString() });
      if (!next.ok && next.reason === 'CANCEL_ALREADY_RECORDED') return canceledOutcome(payment);
      if (!next.ok)
        throw new Error(`PSP canceled ${cancelAmount} on ${command.orderId} but we refuse: ${next.reason}`);
      if (await deps.store.save(payment, next.payment, { event: next.event }))
        return canceledOutcome(next.payment);
      payment = (await deps.store.get(command.orderId)) as Payment | undefined;
    }
    throw new Error(`could not record the cancel of ${command.orderId}`);
  };
}
