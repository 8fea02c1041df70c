import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { toTossPayment } from './payment-object';
import type { Order } from './state';

/** GET /v1/payments/orders/{orderId} — what recovery asks when an outcome is unknown. */
export function getPaymentByOrderId(req: SimRequest, env: SimEnv): Reply {
  const order = env.state.orders.get(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  order.lookupCalls = (order.lookupCalls ?? 0) + 1;
  expireIfStale(order, env);
  return json(200, toTossPayment(order));
}

/** Expiry is noticed when the order is next looked at; its webhook goes out then. */
export function expireIfStale(order: Order, env: SimEnv): void {
  if (env.state.expireIfStale(order, env.clock())) env.statusChanged(order);
}
