/**
 * The PSP simulator's virtual accounts against Toss's documented behaviour: the confirm issues an
 * account (WAITING_FOR_DEPOSIT, `virtualAccount`, `secret`, no approval), DEPOSIT_CALLBACK is flat
 * (createdAt, secret, status, transactionKey, orderId) and goes to URLs registered for it, the due
 * date passes without a status change or webhook, a deposit error returns DONE to WAITING_FOR_DEPOSIT,
 * settlements list deposited payments only, and refunds of a deposit need `refundReceiveAccount`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PspSimulator, startPspSimulator } from '../../local/psp-sim/server';
import { eventually } from '../support/events';

const SECRET_KEY = 'test_sk_jest_virtual_accounts';
const AUTH = `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`;
const ORDER = 'order-va-0001';
const REFUND_ACCOUNT = { bank: '20', accountNumber: '1002123456789', holderName: '김토스' };

let sim: PspSimulator;
let hooks: Server;
let hookUrl: string;
let now: Date;
/** Every webhook body received, in order. */
const received: Record<string, unknown>[] = [];

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON fields
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: AUTH },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function issued(): Promise<{ paymentKey: string; payment: Record<string, unknown> }> {
  const session = await call('POST', '/__sim/sessions', {
    orderId: ORDER,
    amount: 10_000,
    method: '가상계좌',
    customerName: '김토스',
    validHours: 24,
  });
  expect(session.status).toBe(201);
  const { paymentKey } = session.json;
  const heard = callbacks().length;
  const confirmed = await call('POST', '/v1/payments/confirm', {
    paymentKey,
    orderId: ORDER,
    amount: 10_000,
  });
  expect(confirmed.status).toBe(200);
  // The issue's callback first: deliveries run concurrently, and tests read them in the PSP's order.
  await eventually(
    async () => callbacks().slice(heard),
    (bodies) => bodies.some((body) => body.status === 'WAITING_FOR_DEPOSIT'),
  );
  return { paymentKey, payment: confirmed.json };
}

const callbacks = () => received.filter((body) => !('eventType' in body));

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(text));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
  sim = await startPspSimulator({ port: 0, secretKey: SECRET_KEY, clock: () => now, webhookDelayMs: 0 });
});

afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => hooks.close(resolve));
});

beforeEach(async () => {
  now = new Date('2024-03-01T03:00:00Z');
  received.length = 0;
  await call('POST', '/__sim/reset');
  await call('DELETE', '/__sim/webhooks');
  expect(
    (await call('POST', '/__sim/webhooks', { url: hookUrl, eventTypes: ['DEPOSIT_CALLBACK'] })).status,
  ).toBe(200);
});

it('the confirm issues an account: WAITING_FOR_DEPOSIT with virtualAccount, secret and no approval', async () => {
  const { payment } = await issued();
  expect(payment).toMatchObject({
    status: 'WAITING_FOR_DEPOSIT',
    method: '가상계좌',
    approvedAt: null,
    totalAmount: 10_000,
    secret: expect.stringMatching(/^ps_/),
    virtualAccount: {
      accountNumber: expect.stringMatching(/^X\d{13}$/),
      bankCode: '20',
      customerName: '김토스',
      dueDate: '2024-03-02T12:00:00+09:00',
      expired: false,
      refundStatus: 'NONE',
    },
  });
  const [callback] = await eventually(
    async () => callbacks(),
    (list) => list.length === 1,
  );
  expect(callback).toEqual({
    createdAt: expect.any(String),
    secret: payment.secret,
    status: 'WAITING_FOR_DEPOSIT',
    transactionKey: expect.stringMatching(/^[0-9A-F]{32}$/),
    orderId: ORDER,
  });
  // Registered for DEPOSIT_CALLBACK only: no PAYMENT_STATUS_CHANGED.
  expect(received.every((body) => !('eventType' in body))).toBe(true);
});

it('a deposit makes it DONE with a DEPOSIT_CALLBACK carrying the same secret; only then a settlement row', async () => {
  const { payment } = await issued();
  // Toss lists a day's rows from the next day on: read the day as seen from then.
  expect((await call('POST', '/__sim/settlements', { asOf: '2024-03-02T00:00:00+09:00' })).status).toBe(200);
  const before = await call('GET', '/v1/settlements?startDate=2024-03-01&endDate=2024-03-01');
  expect(before.json).toEqual([]);

  const deposited = await call('POST', `/__sim/orders/${ORDER}/deposit`);
  expect(deposited.json).toMatchObject({ status: 'DONE', approvedAt: '2024-03-01T12:00:00+09:00' });
  const list = await eventually(
    async () => callbacks(),
    (bodies) => bodies.length === 2,
  );
  expect(list[1]).toMatchObject({ status: 'DONE', secret: payment.secret, orderId: ORDER });
  const after = await call('GET', '/v1/settlements?startDate=2024-03-01&endDate=2024-03-01');
  expect(after.json).toEqual([
    expect.objectContaining({ orderId: ORDER, amount: 10_000, method: '가상계좌' }),
  ]);
});

it('the due date passes without a status change or a webhook; the account then takes no deposit', async () => {
  await issued();
  await eventually(
    async () => callbacks(),
    (bodies) => bodies.length === 1,
  );
  now = new Date('2024-03-02T03:00:01Z');
  const looked = await call('GET', `/v1/payments/orders/${ORDER}`);
  expect(looked.json).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', virtualAccount: { expired: true } });
  expect((await call('POST', `/__sim/orders/${ORDER}/deposit`)).status).toBe(400);
  expect(callbacks()).toHaveLength(1);
});

it('a deposit error returns DONE to WAITING_FOR_DEPOSIT (callback), and removes the settlement row', async () => {
  await issued();
  await call('POST', `/__sim/orders/${ORDER}/deposit`);
  // Deliveries run concurrently: the deposit's callback is awaited so the order below is the PSP's.
  await eventually(
    async () => callbacks(),
    (bodies) => bodies.length === 2,
  );
  const back = await call('POST', `/__sim/orders/${ORDER}/deposit-error`);
  expect(back.json).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', approvedAt: null });
  const list = await eventually(
    async () => callbacks(),
    (bodies) => bodies.length === 3,
  );
  expect(list.map((body) => body.status)).toEqual(['WAITING_FOR_DEPOSIT', 'DONE', 'WAITING_FOR_DEPOSIT']);
  // Seen from the next day, when the day's rows are listed: the deposit taken back leaves none.
  await call('POST', '/__sim/settlements', { asOf: '2024-03-02T00:00:00+09:00' });
  expect((await call('GET', '/v1/settlements?startDate=2024-03-01&endDate=2024-03-01')).json).toEqual([]);
});

it('a refund of a deposit needs refundReceiveAccount and keeps it; an unpaid account is canceled whole', async () => {
  const { paymentKey } = await issued();
  await call('POST', `/__sim/orders/${ORDER}/deposit`);
  const refused = await call('POST', `/v1/payments/${paymentKey}/cancel`, { cancelReason: 'returned' });
  expect(refused.status).toBe(400);
  const refunded = await call('POST', `/v1/payments/${paymentKey}/cancel`, {
    cancelReason: 'returned',
    refundReceiveAccount: REFUND_ACCOUNT,
  });
  expect(refunded.json).toMatchObject({
    status: 'CANCELED',
    virtualAccount: {
      refundReceiveAccount: { bankCode: '20', accountNumber: '1002123456789', holderName: '김토스' },
    },
  });

  await call('POST', '/__sim/reset');
  const unpaid = await issued();
  const canceled = await call('POST', `/v1/payments/${unpaid.paymentKey}/cancel`, {
    cancelReason: 'order dropped',
  });
  expect(canceled.json).toMatchObject({ status: 'CANCELED', approvedAt: null, balanceAmount: 0 });
});
