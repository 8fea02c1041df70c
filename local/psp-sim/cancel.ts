import { TossError } from './errors';
import { type HandlerResult, json, type SimEnv, type SimRequest } from './http';
import { idempotencyKey, runIdempotent } from './idempotency';
import { toTossPayment } from './payment-object';
import { perform, proxyAnswer, throwForcedTestCode } from './scenarios';
import { newTransactionKey, type Order, type RefundAccount } from './state';
import { optionalAmount, requireObject, requireString } from './validate';

function optionalRefundAccount(fields: Record<string, unknown>): RefundAccount | undefined {
  const account = fields.refundReceiveAccount;
  if (account === undefined || account === null) return undefined;
  const given = requireObject(account);
  const accountNumber = requireString(given, 'accountNumber');
  if (!/^[0-9]{1,20}$/.test(accountNumber)) {
    throw new TossError('INVALID_REFUND_ACCOUNT_NUMBER', 'accountNumber must be up to 20 digits.');
  }
  return {
    bank: requireString(given, 'bank'),
    accountNumber,
    holderName: requireString(given, 'holderName'),
  };
}

/**
 * POST /v1/payments/{paymentKey}/cancel — full (no cancelAmount) or partial cancel. A deposited
 * virtual-account payment is refunded to `refundReceiveAccount`, which it then requires; an unpaid
 * account is canceled whole (no money to refund).
 */
export async function cancelPayment(req: SimRequest, env: SimEnv): Promise<HandlerResult> {
  const fields = requireObject(req.body);
  const cancelReason = requireString(fields, 'cancelReason');
  const requested = optionalAmount(fields, 'cancelAmount');
  const refundAccount = optionalRefundAccount(fields);
  const refundable = optionalAmount(fields, 'refundableAmount');
  const order = env.state.orderByPaymentKey(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  const proxied = proxyAnswer(order.orderId, env);
  if (proxied) return proxied;
  order.cancelCalls += 1;

  const route = `POST /v1/payments/${order.paymentKey}/cancel`;
  return runIdempotent(env.state.idempotency, route, idempotencyKey(req.headers), async () => {
    throwForcedTestCode(req.headers);
    cancelableAmount(order, requested, refundAccount);
    if (refundable !== undefined && refundable !== order.balanceAmount) {
      throw new TossError('NOT_MATCHES_REFUNDABLE_AMOUNT');
    }
    return perform(env.state.takeAction(order.orderId), env, {
      approve: () => {
        // Checked again: the balance may have moved while a latency action waited.
        const cancelAmount = cancelableAmount(order, requested, refundAccount);
        if (order.virtualAccount && refundAccount) order.virtualAccount.refundReceiveAccount = refundAccount;
        order.balanceAmount -= cancelAmount;
        order.status = order.balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED';
        order.cancels.push({
          transactionKey: newTransactionKey(),
          cancelReason,
          cancelAmount,
          canceledAt: env.clock(),
          refundableAmount: order.balanceAmount,
        });
        env.statusChanged(order);
        return json(200, toTossPayment(order));
      },
      decline: (code) => new TossError(code).toReply(),
    });
  });
}

function cancelableAmount(
  order: Order,
  requested: number | undefined,
  refundAccount: RefundAccount | undefined,
): number {
  if (order.status === 'WAITING_FOR_DEPOSIT') {
    if (requested !== undefined && requested !== order.balanceAmount)
      throw new TossError('NOT_CANCELABLE_AMOUNT');
    return order.balanceAmount;
  }
  if (order.status === 'CANCELED') throw new TossError('ALREADY_CANCELED_PAYMENT');
  if (order.status !== 'DONE' && order.status !== 'PARTIAL_CANCELED')
    throw new TossError('NOT_CANCELABLE_PAYMENT');
  if (order.virtualAccount && !refundAccount) {
    throw new TossError(
      'INVALID_REQUEST',
      'refundReceiveAccount is required to refund a virtual-account deposit.',
    );
  }
  const amount = requested ?? order.balanceAmount;
  if (amount > order.balanceAmount) throw new TossError('NOT_CANCELABLE_AMOUNT');
  return amount;
}
