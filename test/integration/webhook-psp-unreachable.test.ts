/**
 * A webhook whose look cannot reach the PSP must come again: the handler (composed as deployed, in
 * process, on DynamoDB Local) answers 503 so Toss redelivers on its schedule, and writes nothing but
 * the lease it then releases. Once the PSP answers, the same body is a plain 200.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { freePort } from '../../local/runtime/ports';
import { lambdaContext } from '../support/events';
import { createOrder, getPayment, postConfirm, request, sim } from '../support/http-client';
import { SIM_PSP_AUTH } from '../support/own-payments-table';

jest.setTimeout(30_000);

// The simulator's own deliveries would heal the order before the test's hand-made ones.
beforeAll(() => sim.webhooksOff());
afterAll(() => sim.webhooksOn());

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

function webhookEvent(orderId: string): APIGatewayProxyEvent {
  return {
    body: JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', data: { orderId, status: 'CANCELED' } }),
    headers: { 'content-type': 'application/json' },
    httpMethod: 'POST',
    path: '/webhooks/toss',
    requestContext: { requestId: `webhook-${Date.now()}` },
  } as unknown as APIGatewayProxyEvent;
}

/** The deployed handler module, composed against `pspBaseUrl` (its composition reads the environment once). */
function webhookHandler(pspBaseUrl: string): Handler {
  process.env.PSP_BASE_URL = pspBaseUrl;
  process.env.PSP_SECRET_KEY = 'test_sk_local_simulator';
  process.env.PSP_REQUEST_TIMEOUT_MS = '300';
  process.env.PSP_RETRY_BUDGET_MS = '600';
  process.env.PAYMENTS_TABLE = 'payments';
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = require('../../lambdas/handlers/psp-webhook').handler;
  });
  if (!handler) throw new Error('webhook handler not loaded');
  return handler;
}

it('a console cancel whose look cannot reach the PSP: 503 WEBHOOK_RETRY_LATER, nothing changes; the redelivery records it', async () => {
  const { orderId, amount } = await createOrder();
  const paymentKey = await sim.session(orderId, amount);
  expect((await postConfirm({ paymentKey, orderId, amount })).status).toBe(200);
  const consoleCancel = await request(sim.url(), 'POST', `/v1/payments/${paymentKey}/cancel`, {
    body: { cancelReason: 'console' },
    headers: { Authorization: SIM_PSP_AUTH },
  });
  expect(consoleCancel.status).toBe(200);
  const before = (await getPayment(orderId)).json;
  expect(before.status).toBe('SUCCESS');

  // Nothing listens on a fresh free port: every PSP call is refused.
  const unreachable = webhookHandler(`http://127.0.0.1:${await freePort()}`);
  const refused = await unreachable(webhookEvent(orderId), lambdaContext('pspWebhook'));
  expect(refused.statusCode).toBe(503);
  expect(refused.headers?.['Content-Type']).toBe('application/problem+json');
  expect(JSON.parse(refused.body)).toMatchObject({ status: 503, code: 'WEBHOOK_RETRY_LATER' });
  const after = (await getPayment(orderId)).json;
  expect({ status: after.status, balance: after.balanceAmount, events: after.events }).toEqual({
    status: before.status,
    balance: before.balanceAmount,
    events: before.events,
  });

  // The redelivery finds the PSP answering and the lease released.
  const reachable = webhookHandler(sim.url());
  const accepted = await reachable(webhookEvent(orderId), lambdaContext('pspWebhook'));
  expect(accepted.statusCode).toBe(200);
  expect((await getPayment(orderId)).json).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
});
