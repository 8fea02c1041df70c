import { type Caller, mayAct } from '../domain/ownership';
import type { PaymentStore } from '../ports/payment-store';
import { type HttpOutcome, jsonOutcome, problemOutcome } from '../shared/http';

export function getPaymentUseCase(deps: { store: PaymentStore }) {
  return async (orderId: string, caller: Caller): Promise<HttpOutcome> => {
    const view = await deps.store.view(orderId);
    // Another shop's order is answered exactly like a missing one: its existence is not told.
    if (!view || !mayAct(view.payment, caller, 'read')) {
      return problemOutcome({
        status: 404,
        code: 'ORDER_NOT_FOUND',
        title: 'Order not found',
        detail: `No order ${orderId}.`,
      });
    }
    const { payment, events, settledBy } = view;
    const walletSettled = settledBy.includes('wallet');
    const ledgerRecorded = settledBy.includes('ledger');
    return jsonOutcome(200, {
      orderId: payment.orderId,
      status: payment.status,
      amount: payment.amount,
      balanceAmount: payment.balanceAmount,
      paymentKey: payment.paymentKey,
      approvedAt: payment.approvedAt,
      failure: payment.failure,
      walletSettled,
      ledgerRecorded,
      // Done: the latest event has been applied everywhere it goes.
      done: payment.eventSeq > 0 && walletSettled && ledgerRecorded,
      events: events.map(({ seq, type, at }) => ({ seq, type, at })),
    });
  };
}
