import { type Caller, mayAct } from '../domain/ownership';
import type { AppliedAmounts, SettlingConsumer } from '../ports/completion';
import type { PaymentStore } from '../ports/payment-store';
import { type HttpOutcome, jsonOutcome, problemOutcome } from '../shared/http';

/**
 * A payment as its owner sees it. Once its latest event is applied everywhere, one read; until then
 * also each consumer's cursor (two more reads), to tell which has applied it.
 */
export function getPaymentUseCase(deps: {
  store: PaymentStore;
  applied: Readonly<Record<SettlingConsumer, AppliedAmounts>>;
}) {
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
    const reached = async (consumer: SettlingConsumer) =>
      settledBy.includes(consumer) ||
      (payment.eventSeq > 0 &&
        ((await deps.applied[consumer].applied(payment.orderId))?.seq ?? 0) >= payment.eventSeq);
    const [walletSettled, ledgerRecorded] = await Promise.all([reached('wallet'), reached('ledger')]);
    return jsonOutcome(200, {
      orderId: payment.orderId,
      status: payment.status,
      amount: payment.amount,
      balanceAmount: payment.balanceAmount,
      paymentKey: payment.paymentKey,
      approvedAt: payment.approvedAt,
      failure: payment.failure,
      // Virtual-account payments: where and by when the buyer pays (never the PSP's callback secret).
      virtualAccount: payment.virtualAccount,
      walletSettled,
      ledgerRecorded,
      // Done: the latest event has been applied everywhere it goes.
      done: payment.eventSeq > 0 && walletSettled && ledgerRecorded,
      events: events.map(({ seq, type, at }) => ({ seq, type, at })),
    });
  };
}
