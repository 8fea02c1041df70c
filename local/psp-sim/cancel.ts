import { TossError } from './errors';
import { type HandlerResult, json, type SimEnv, type SimRequest } from './http';
import { idempotencyKey, runIdempotent } from './idempotency';
import { toTossPayment } from './payment-object';
import { perform, proxyAnswer, throwForcedTestCode } from './scenarios';
import { newTransactionKey, type Order } from './state';
import { optionalAmount, requireObject, requireString } from './validate';

/** POST /v1/payments/{paymentKey}/cancel — full (no cancelAmount) or partial cancel. */
export async function cancelPayment(req: SimRequest, env: SimEnv): Promise<HandlerResult> {
  const fields = requireObject(req.body);
  const cancelReason = requireString(fields, 'cancelReason');
  const requested = optionalAmount(fields, 'cancelAmount');
  const refundable = optionalAmount(fields, 'refundableAmount');
  const order = env.state.orderByPaymentKey(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  const proxied = proxyAnswer(order.orderId, env);
  if (proxied) return proxied;
  order.cancelCalls += 1;

  const route = `POST /v1/payments/${order.paymentKey}/cancel`;
  return runIdempotent(env.state.idempotency, route, idempotencyKey(req.headers), async () => {
    throwForcedTestCode(req.headers);
    cancelableAmount(order, requested);
    if (refundable !== undefined && refundable !== order.balanceAmount) {
      throw new TossError('NOT_MATCHES_REFUNDABLE_AMOUNT');
    }
    return perform(env.state.takeAction(order.orderId), env, {
      approve: () => {
        // Checked again: the balance may have moved while a latency action waited.
        const cancelAmount = cancelableAmount(order, requested);
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

function cancelableAmount(order: Order, requested: number | undefined): number {
  if (order.status === 'CANCELED') throw new TossError('ALREADY_CANCELED_PAYMENT');
  if (order.status !== 'DONE' && order.status !== 'PARTIAL_CANCELED')
    throw new TossError('NOT_CANCELABLE_PAYMENT');
  const amount = requested ?? order.balanceAmount;
  if (amount > order.balanceAmount) throw new TossError('NOT_CANCELABLE_AMOUNT');
  return amount;
}
