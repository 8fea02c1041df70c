import { TossError } from './errors';
import { type HandlerResult, json, type SimEnv, type SimRequest } from './http';
import { idempotencyKey, runIdempotent } from './idempotency';
import { toTossPayment } from './payment-object';
import { expireIfStale } from './retrieve';
import { perform, proxyAnswer, throwForcedTestCode } from './scenarios';
import { newTransactionKey } from './state';
import { requireAmount, requireObject, requireOrderId, requireString } from './validate';

/** POST /v1/payments/confirm — approves the buyer's session. */
export async function confirmPayment(req: SimRequest, env: SimEnv): Promise<HandlerResult> {
  const fields = requireObject(req.body);
  const paymentKey = requireString(fields, 'paymentKey');
  const orderId = requireOrderId(fields);
  const amount = requireAmount(fields, 'amount');
  const order = env.state.orderByPaymentKey(paymentKey);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT_SESSION');
  const proxied = proxyAnswer(order.orderId, env);
  if (proxied) return proxied;
  order.confirmCalls += 1;
  expireIfStale(order, env);
  // A retry of a confirm whose answer was lost can lose its (replayed) answer too, if so queued.
  const next = env.state.scenarios.get(order.orderId)?.[0]?.kind;
  if (order.approval && (next === 'approve-then-timeout' || next === 'timeout')) {
    env.state.takeAction(order.orderId);
    return { drop: 'after-hang' };
  }

  return runIdempotent(
    env.state.idempotency,
    'POST /v1/payments/confirm',
    idempotencyKey(req.headers),
    async () => {
      throwForcedTestCode(req.headers);
      if (order.status === 'EXPIRED') throw new TossError('NOT_FOUND_PAYMENT_SESSION');
      if (order.orderId !== orderId || order.amount !== amount) {
        throw new TossError('INVALID_REQUEST', 'orderId or amount does not match the payment session.');
      }
      if (order.status === 'IN_PROGRESS') {
        throw new TossError(
          'IDEMPOTENT_REQUEST_PROCESSING',
          'Another confirm of this payment is in progress.',
        );
      }
      if (order.status !== 'READY') throw new TossError('ALREADY_PROCESSED_PAYMENT');

      order.status = 'IN_PROGRESS';
      try {
        return await perform(env.state.takeAction(order.orderId), env, {
          approve: () => {
            order.status = 'DONE';
            order.approval = { transactionKey: newTransactionKey(), approvedAt: env.clock() };
            env.statusChanged(order);
            return json(200, toTossPayment(order));
          },
          decline: (code) => {
            const decline = new TossError(code);
            order.status = 'ABORTED';
            order.failure = { code, message: decline.message };
            env.statusChanged(order);
            return decline.toReply();
          },
        });
      } finally {
        // An error or a timeout leaves the session as it was, ready to be confirmed again.
        if (order.status === 'IN_PROGRESS') order.status = 'READY';
      }
    },
  );
}
