import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { parseAction } from './scenarios';
import { optionalString, requireAmount, requireObject, requireOrderId } from './validate';

/** POST /__sim/sessions — plays the buyer authenticating in the payment window. */
export function createSession(req: SimRequest, env: SimEnv): Reply {
  const fields = requireObject(req.body);
  const order = env.state.openSession(
    {
      orderId: requireOrderId(fields),
      amount: requireAmount(fields, 'amount'),
      orderName: optionalString(fields, 'orderName'),
    },
    env.clock(),
  );
  return json(201, { paymentKey: order.paymentKey });
}

/** POST /__sim/scenarios — replaces the actions queued for the order's next confirm/cancel calls. */
export function setScenario(req: SimRequest, env: SimEnv): Reply {
  const fields = requireObject(req.body);
  const orderId = requireOrderId(fields);
  const { actions } = fields;
  if (!Array.isArray(actions) || !actions.every((action) => typeof action === 'string')) {
    throw new TossError('INVALID_REQUEST', 'actions must be an array of strings.');
  }
  const queue = actions.map(parseAction);
  if (queue.length === 0) env.state.scenarios.delete(orderId);
  else env.state.scenarios.set(orderId, queue);
  return json(200, { orderId, actions });
}

/** GET /__sim/orders/{orderId} — the PSP-side truth that tests check invariants against. */
export function getOrderTruth(req: SimRequest, env: SimEnv): Reply {
  const order = env.state.orders.get(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  const { status, paymentKey, amount, balanceAmount, confirmCalls, cancelCalls, lookupCalls = 0 } = order;
  return json(200, { status, paymentKey, amount, balanceAmount, confirmCalls, cancelCalls, lookupCalls });
}
