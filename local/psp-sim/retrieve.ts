import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { toTossPayment } from './payment-object';

/** GET /v1/payments/orders/{orderId} — what recovery asks when an outcome is unknown. */
export function getPaymentByOrderId(req: SimRequest, env: SimEnv): Reply {
  const order = env.state.orders.get(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  order.lookupCalls = (order.lookupCalls ?? 0) + 1;
  return json(200, toTossPayment(order));
}
