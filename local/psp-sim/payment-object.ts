import type { CancelRecord, Order } from './state';
import { toKstIso } from './time';

export const MERCHANT_ID = 'tpspsim';

/** Toss VAT rule: a tenth of the supply value, i.e. amount / 11, rounded. */
export const vatOf = (amount: number) => Math.round(amount / 11);

/** The order as Toss's Payment object (API version 2022-11-16, card payments only). */
export function toTossPayment(order: Order) {
  const vat = vatOf(order.balanceAmount);
  return {
    mId: MERCHANT_ID,
    version: '2022-11-16',
    lastTransactionKey: order.cancels.at(-1)?.transactionKey ?? order.approval?.transactionKey ?? null,
    paymentKey: order.paymentKey,
    type: 'NORMAL',
    orderId: order.orderId,
    orderName: order.orderName,
    status: order.status,
    requestedAt: toKstIso(order.requestedAt),
    approvedAt: order.approval ? toKstIso(order.approval.approvedAt) : null,
    currency: 'KRW',
    // Toss names the method in Korean: 카드, 가상계좌, 간편결제, …
    method: '카드',
    totalAmount: order.amount,
    balanceAmount: order.balanceAmount,
    suppliedAmount: order.balanceAmount - vat,
    vat,
    taxFreeAmount: 0,
    taxExemptionAmount: 0,
    isPartialCancelable: true,
    cancels: order.cancels.length === 0 ? null : order.cancels.map(cancelObject),
    failure: order.failure,
  };
}

/** Toss's Cancel object, as a payment's `cancels` and a cancel's settlement row carry it. */
export function cancelObject(cancel: CancelRecord) {
  return {
    transactionKey: cancel.transactionKey,
    cancelReason: cancel.cancelReason,
    cancelAmount: cancel.cancelAmount,
    canceledAt: toKstIso(cancel.canceledAt),
    refundableAmount: cancel.refundableAmount,
    taxFreeAmount: 0,
    taxExemptionAmount: 0,
    cancelStatus: 'DONE',
  };
}
