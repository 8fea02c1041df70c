import type { CancelRecord, Order } from './state';
import { toKstIso } from './time';

export const MERCHANT_ID = 'tpspsim';

/** Toss VAT rule: a tenth of the supply value, i.e. amount / 11, rounded. */
export const vatOf = (amount: number) => Math.round(amount / 11);

/** Toss names the method in Korean (카드, 가상계좌, 간편결제, …), on payments and settlement rows alike. */
export function methodOf(order: Order): string {
  return order.virtualAccount ? '가상계좌' : '카드';
}

/** The issued account as Toss's `virtualAccount` object; null before the confirm issued it, and for cards. */
function toTossVirtualAccount(order: Order) {
  const account = order.virtualAccount;
  if (!account || order.status === 'READY' || order.status === 'IN_PROGRESS') return null;
  return {
    accountType: '일반',
    accountNumber: account.accountNumber,
    bankCode: account.bankCode,
    customerName: account.customerName,
    dueDate: toKstIso(new Date(account.dueDate)),
    refundStatus: order.cancels.length > 0 && order.approval ? 'COMPLETED' : 'NONE',
    expired: account.expired,
    settlementStatus: order.approval ? 'COMPLETED' : 'INCOMPLETED',
    refundReceiveAccount: account.refundReceiveAccount && {
      bankCode: account.refundReceiveAccount.bank,
      accountNumber: account.refundReceiveAccount.accountNumber,
      holderName: account.refundReceiveAccount.holderName,
    },
  };
}

/** The order as Toss's Payment object (API version 2022-11-16: cards and virtual accounts). */
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
    method: methodOf(order),
    virtualAccount: toTossVirtualAccount(order),
    secret: order.secret ?? null,
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
