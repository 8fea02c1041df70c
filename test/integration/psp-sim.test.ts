import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PspSimulator, startPspSimulator } from '../../local/psp-sim/server';

const SECRET_KEY = 'test_sk_jest_simulator';
const AUTH = `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`;
const HANG_MS = 300;
const ORDER = 'order-0001';

interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  auth?: string | null;
}

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON fields
  json: any;
}

let sim: PspSimulator;
/** The simulator's clock; tests move it to place approvals and cancels on chosen days. */
let now: Date;

async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const auth = options.auth === undefined ? AUTH : options.auth;
  if (auth !== null) headers.authorization = auth;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function openSession(orderId = ORDER, amount = 10_000): Promise<string> {
  const answer = await call('POST', '/__sim/sessions', {
    body: { orderId, amount, orderName: 'Test order' },
  });
  expect(answer.status).toBe(201);
  return answer.json.paymentKey;
}

function confirm(
  paymentKey: string,
  options: { orderId?: string; amount?: number; headers?: Record<string, string> } = {},
) {
  const body = { paymentKey, orderId: options.orderId ?? ORDER, amount: options.amount ?? 10_000 };
  return call('POST', '/v1/payments/confirm', { body, headers: options.headers });
}

function cancel(paymentKey: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return call('POST', `/v1/payments/${paymentKey}/cancel`, {
    body: { cancelReason: 'buyer request', ...body },
    headers,
  });
}

async function truth(orderId = ORDER) {
  return (await call('GET', `/__sim/orders/${orderId}`)).json;
}

async function scenario(actions: string[], orderId = ORDER) {
  const answer = await call('POST', '/__sim/scenarios', { body: { orderId, actions } });
  expect(answer.status).toBe(200);
}

async function confirmed(orderId = ORDER, amount = 10_000): Promise<string> {
  const paymentKey = await openSession(orderId, amount);
  expect((await confirm(paymentKey, { orderId, amount })).status).toBe(200);
  return paymentKey;
}

async function waitForStatus(status: string, orderId = ORDER): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await truth(orderId)).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`order ${orderId} never reached ${status}`);
}

beforeAll(async () => {
  sim = await startPspSimulator({ port: 0, secretKey: SECRET_KEY, hangMs: HANG_MS, clock: () => now });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  now = new Date('2024-03-01T03:00:00Z');
  expect((await call('POST', '/__sim/reset')).status).toBe(200);
});

describe('server lifecycle', () => {
  it('reports the real port when started on port 0', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.url).not.toMatch(/:0$/);
  });

  it('rejects with a port-in-use error when the port is taken', async () => {
    const port = Number(new URL(sim.url).port);
    await expect(startPspSimulator({ port, secretKey: SECRET_KEY })).rejects.toThrow(/in use \(EADDRINUSE\)/);
  });

  it('close() destroys held sockets so it returns promptly', async () => {
    const other = await startPspSimulator({ port: 0, secretKey: SECRET_KEY, hangMs: 60_000 });
    const session = await fetch(`${other.url}/__sim/sessions`, {
      method: 'POST',
      body: JSON.stringify({ orderId: ORDER, amount: 1000 }),
    });
    const { paymentKey } = (await session.json()) as { paymentKey: string };
    await fetch(`${other.url}/__sim/scenarios`, {
      method: 'POST',
      body: JSON.stringify({ orderId: ORDER, actions: ['timeout'] }),
    });
    const hanging = fetch(`${other.url}/v1/payments/confirm`, {
      method: 'POST',
      headers: { authorization: AUTH },
      body: JSON.stringify({ paymentKey, orderId: ORDER, amount: 1000 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await other.close();
    await expect(hanging).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('authentication and request bodies', () => {
  it('answers 401 UNAUTHORIZED_KEY without or with a wrong secret key', async () => {
    const paymentKey = await openSession();
    const missing = await call('POST', '/v1/payments/confirm', {
      body: { paymentKey, orderId: ORDER, amount: 10_000 },
      auth: null,
    });
    const wrong = await call('GET', `/v1/payments/orders/${ORDER}`, {
      auth: `Basic ${Buffer.from('test_sk_other:').toString('base64')}`,
    });
    for (const answer of [missing, wrong]) {
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ code: 'UNAUTHORIZED_KEY', message: expect.any(String) });
    }
    expect((await truth()).status).toBe('READY');
  });

  it('rejects non-JSON and oversized bodies with 400 INVALID_REQUEST', async () => {
    const notJson = await call('POST', '/v1/payments/confirm', { rawBody: '{not json' });
    const oversized = await call('POST', '/__sim/sessions', {
      rawBody: JSON.stringify({ orderId: ORDER, amount: 1, pad: 'x'.repeat(70 * 1024) }),
    });
    for (const answer of [notJson, oversized]) {
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('INVALID_REQUEST');
    }
    expect((await call('GET', `/__sim/orders/${ORDER}`)).status).toBe(404);
  });

  it('validates session requests', async () => {
    const badOrderId = await call('POST', '/__sim/sessions', { body: { orderId: 'x', amount: 100 } });
    const badAmount = await call('POST', '/__sim/sessions', { body: { orderId: ORDER, amount: -5 } });
    expect(badOrderId.status).toBe(400);
    expect(badAmount.status).toBe(400);
    expect(badAmount.json.code).toBe('INVALID_REQUEST');
  });

  it('answers unknown routes with a Toss-shaped 404', async () => {
    const answer = await call('GET', '/v1/nowhere');
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('NOT_FOUND');
  });
});

describe('confirm', () => {
  it('approves a session and returns a Toss Payment object', async () => {
    const paymentKey = await openSession();
    now = new Date('2024-03-01T03:00:05Z');
    const answer = await confirm(paymentKey);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      mId: expect.any(String),
      version: '2022-11-16',
      paymentKey,
      orderId: ORDER,
      orderName: 'Test order',
      status: 'DONE',
      requestedAt: '2024-03-01T12:00:00+09:00',
      approvedAt: '2024-03-01T12:00:05+09:00',
      totalAmount: 10_000,
      balanceAmount: 10_000,
      suppliedAmount: 9091,
      vat: 909,
      method: '카드',
      currency: 'KRW',
      cancels: null,
    });
    expect(await truth()).toEqual({
      status: 'DONE',
      paymentKey,
      amount: 10_000,
      balanceAmount: 10_000,
      confirmCalls: 1,
      cancelCalls: 0,
      lookupCalls: 0,
    });
  });

  it('answers 404 NOT_FOUND_PAYMENT_SESSION for an unknown paymentKey', async () => {
    const answer = await confirm('tsim_unknown');
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('NOT_FOUND_PAYMENT_SESSION');
  });

  it('refuses an amount or orderId other than the session’s with 400 and approves nothing', async () => {
    const paymentKey = await openSession();
    const wrongAmount = await confirm(paymentKey, { amount: 9_999 });
    const wrongOrder = await confirm(paymentKey, { orderId: 'order-9999' });
    for (const answer of [wrongAmount, wrongOrder]) {
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('INVALID_REQUEST');
    }
    expect(await truth()).toMatchObject({ status: 'READY', confirmCalls: 2 });
  });

  it('answers ALREADY_PROCESSED_PAYMENT to a second confirm without the same key', async () => {
    const paymentKey = await openSession();
    expect((await confirm(paymentKey, { headers: { 'Idempotency-Key': 'key-a' } })).status).toBe(200);
    const noKey = await confirm(paymentKey);
    const otherKey = await confirm(paymentKey, { headers: { 'Idempotency-Key': 'key-b' } });
    for (const answer of [noKey, otherKey]) {
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('ALREADY_PROCESSED_PAYMENT');
    }
    expect(await truth()).toMatchObject({ status: 'DONE', confirmCalls: 3 });
  });

  it('refuses to reopen a session for an approved order', async () => {
    await confirmed();
    const answer = await call('POST', '/__sim/sessions', { body: { orderId: ORDER, amount: 10_000 } });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('DUPLICATED_ORDER_ID');
  });
});

describe('Idempotency-Key', () => {
  const key = { 'Idempotency-Key': ORDER };

  it('replays a completed approval byte-for-byte without changing state', async () => {
    const paymentKey = await openSession();
    const first = await confirm(paymentKey, { headers: key });
    now = new Date('2024-03-02T00:00:00Z');
    const replay = await confirm(paymentKey, { headers: key });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(await truth()).toMatchObject({ status: 'DONE', balanceAmount: 10_000, confirmCalls: 2 });
    const settlements = await call('GET', '/v1/settlements?startDate=2024-03-01&endDate=2024-03-02');
    expect(settlements.json).toHaveLength(1);
  });

  it('answers 409 IDEMPOTENT_REQUEST_PROCESSING while the first request is in flight', async () => {
    const paymentKey = await openSession();
    await scenario(['latency:300']);
    const first = confirm(paymentKey, { headers: key });
    await waitForStatus('IN_PROGRESS');
    const inFlight = await call('GET', `/v1/payments/orders/${ORDER}`);
    expect(inFlight.json.status).toBe('IN_PROGRESS');
    const second = await confirm(paymentKey, { headers: key });
    expect(second.status).toBe(409);
    expect(second.json.code).toBe('IDEMPOTENT_REQUEST_PROCESSING');
    expect((await first).status).toBe(200);
    expect(await truth()).toMatchObject({ status: 'DONE', confirmCalls: 2 });
  });

  it('does not store temporary errors: a retry with the same key executes again', async () => {
    const paymentKey = await openSession();
    await scenario(['error:PROVIDER_ERROR']);
    const failed = await confirm(paymentKey, { headers: key });
    expect(failed.status).toBe(400);
    expect(failed.json.code).toBe('PROVIDER_ERROR');
    expect((await truth()).status).toBe('READY');
    const retried = await confirm(paymentKey, { headers: key });
    expect(retried.status).toBe(200);
    expect(retried.json.status).toBe('DONE');
  });

  it('stores any other error as the key’s answer and replays it, as Toss does', async () => {
    const paymentKey = await openSession();
    await scenario(['error:INVALID_REQUEST']);
    const first = await confirm(paymentKey, { headers: key });
    expect(first.status).toBe(400);
    const replay = await confirm(paymentKey, { headers: key });
    expect(replay.text).toBe(first.text);
    expect(await truth()).toMatchObject({ status: 'READY', confirmCalls: 2 });
    expect((await confirm(paymentKey, { headers: { 'Idempotency-Key': 'another' } })).status).toBe(200);
  });

  it('answers INVALID_IDEMPOTENCY_KEY for a key longer than Toss’s 300 characters', async () => {
    const paymentKey = await openSession();
    const tooLong = await confirm(paymentKey, { headers: { 'Idempotency-Key': 'k'.repeat(301) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.code).toBe('INVALID_IDEMPOTENCY_KEY');
    expect((await confirm(paymentKey, { headers: { 'Idempotency-Key': 'k'.repeat(300) } })).status).toBe(200);
  });

  it('stores a decline: the retry replays it and the payment stays ABORTED', async () => {
    const paymentKey = await openSession();
    await scenario(['decline:REJECT_CARD_PAYMENT']);
    const declined = await confirm(paymentKey, { headers: key });
    expect(declined.status).toBe(403);
    expect(declined.json).toEqual({ code: 'REJECT_CARD_PAYMENT', message: expect.any(String) });
    const replay = await confirm(paymentKey, { headers: key });
    expect(replay.status).toBe(403);
    expect(replay.text).toBe(declined.text);
    const payment = await call('GET', `/v1/payments/orders/${ORDER}`);
    expect(payment.json).toMatchObject({
      status: 'ABORTED',
      approvedAt: null,
      failure: { code: 'REJECT_CARD_PAYMENT' },
    });
    expect((await confirm(paymentKey)).json.code).toBe('ALREADY_PROCESSED_PAYMENT');
    expect(await truth()).toMatchObject({ status: 'ABORTED', confirmCalls: 3 });
  });
});

describe('TossPayments-Test-Code header', () => {
  it.each([
    ['PROVIDER_ERROR', 400],
    ['CARD_PROCESSING_ERROR', 400],
    ['FAILED_INTERNAL_SYSTEM_PROCESSING', 500],
    ['FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 500],
    ['REJECT_CARD_PAYMENT', 403],
    ['INVALID_CARD_NUMBER', 400],
    ['EXCEED_MAX_DAILY_PAYMENT_COUNT', 400],
    ['NOT_FOUND_PAYMENT_SESSION', 404],
    ['UNAUTHORIZED_KEY', 401],
    ['SOME_OTHER_CODE', 400],
  ])('forces %s on confirm with status %i and approves nothing', async (code, status) => {
    const paymentKey = await openSession();
    const answer = await confirm(paymentKey, { headers: { 'TossPayments-Test-Code': code } });
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ code, message: expect.any(String) });
    expect(await truth()).toMatchObject({ status: 'READY', confirmCalls: 1 });
  });

  it('forces an error on cancel without canceling', async () => {
    const paymentKey = await confirmed();
    const answer = await cancel(
      paymentKey,
      {},
      { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' },
    );
    expect(answer.status).toBe(500);
    expect(answer.json.code).toBe('FAILED_INTERNAL_SYSTEM_PROCESSING');
    expect(await truth()).toMatchObject({ status: 'DONE', balanceAmount: 10_000, cancelCalls: 1 });
  });
});

describe('fault-injection scenarios', () => {
  it('plays one action per call in order, then behaves normally', async () => {
    const paymentKey = await openSession();
    await scenario(['error:PROVIDER_ERROR', 'error:CARD_PROCESSING_ERROR']);
    expect((await confirm(paymentKey)).json.code).toBe('PROVIDER_ERROR');
    expect((await confirm(paymentKey)).json.code).toBe('CARD_PROCESSING_ERROR');
    expect((await confirm(paymentKey)).status).toBe(200);
    expect(await truth()).toMatchObject({ status: 'DONE', confirmCalls: 3 });
  });

  it('replaces the queue on a new POST and clears it with []', async () => {
    const paymentKey = await openSession();
    await scenario(['error:PROVIDER_ERROR', 'error:PROVIDER_ERROR']);
    await scenario(['error:INVALID_CARD_NUMBER']);
    expect((await confirm(paymentKey)).json.code).toBe('INVALID_CARD_NUMBER');
    await scenario(['error:PROVIDER_ERROR']);
    await scenario([]);
    expect((await confirm(paymentKey)).status).toBe(200);
  });

  it('shares the queue between confirm and cancel calls', async () => {
    const paymentKey = await openSession();
    await scenario(['approve', 'error:PROVIDER_ERROR']);
    expect((await confirm(paymentKey)).status).toBe(200);
    expect((await cancel(paymentKey, {})).json.code).toBe('PROVIDER_ERROR');
    expect((await cancel(paymentKey, {})).json.status).toBe('CANCELED');
  });

  it('waits on latency:<ms> and then approves', async () => {
    const paymentKey = await openSession();
    await scenario(['latency:150']);
    const started = Date.now();
    const answer = await confirm(paymentKey);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.json.status).toBe('DONE');
  });

  it.each(['explode', 'latency:soon', 'decline:lowercase', 'error:', 'timeout:5'])(
    'rejects the invalid action %s',
    async (action) => {
      const answer = await call('POST', '/__sim/scenarios', { body: { orderId: ORDER, actions: [action] } });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('INVALID_REQUEST');
    },
  );

  it('timeout: holds the request, drops the connection and approves nothing', async () => {
    const paymentKey = await openSession();
    await scenario(['timeout']);
    const started = Date.now();
    await expect(confirm(paymentKey, { headers: { 'Idempotency-Key': ORDER } })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(HANG_MS - 20);
    expect(await truth()).toMatchObject({ status: 'READY', confirmCalls: 1 });
    const retry = await confirm(paymentKey, { headers: { 'Idempotency-Key': ORDER } });
    expect(retry.json.status).toBe('DONE');
  });

  it('approve-then-timeout: approves at the PSP, the client sees a dropped connection, a retry replays', async () => {
    const paymentKey = await openSession();
    await scenario(['approve-then-timeout']);
    await expect(confirm(paymentKey, { headers: { 'Idempotency-Key': ORDER } })).rejects.toThrow();
    expect(await truth()).toMatchObject({ status: 'DONE', confirmCalls: 1 });
    const retry = await confirm(paymentKey, { headers: { 'Idempotency-Key': ORDER } });
    expect(retry.status).toBe(200);
    expect(retry.json.status).toBe('DONE');
    expect(await truth()).toMatchObject({ status: 'DONE', confirmCalls: 2 });
  });

  it('approve-then-timeout on cancel: the cancel happens and its retry replays', async () => {
    const paymentKey = await confirmed();
    await scenario(['approve-then-timeout']);
    const key = { 'Idempotency-Key': 'cancel-1' };
    await expect(cancel(paymentKey, { cancelAmount: 4000 }, key)).rejects.toThrow();
    expect(await truth()).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 6000 });
    const retry = await cancel(paymentKey, { cancelAmount: 4000 }, key);
    expect(retry.json).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 6000 });
    expect(await truth()).toMatchObject({ balanceAmount: 6000, cancelCalls: 2 });
  });
});

describe('what Toss does that a client must cope with', () => {
  it('proxy:<status> answers with a proxy’s HTML page; the PSP never hears of the call', async () => {
    const paymentKey = await openSession();
    await scenario(['proxy:403']);
    const proxied = await fetch(`${sim.url}/v1/payments/confirm`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json', 'Idempotency-Key': ORDER },
      body: JSON.stringify({ paymentKey, orderId: ORDER, amount: 10_000 }),
    });
    expect(proxied.status).toBe(403);
    expect(proxied.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await proxied.text()).toMatch(/^<html>/);
    expect(await truth()).toMatchObject({ status: 'READY', confirmCalls: 0 });
    expect((await confirm(paymentKey, { headers: { 'Idempotency-Key': ORDER } })).status).toBe(200);
  });

  it('expires a session not confirmed within 10 minutes of authentication', async () => {
    const paymentKey = await openSession();
    now = new Date('2024-03-01T03:09:59Z');
    expect((await call('GET', `/v1/payments/orders/${ORDER}`)).json.status).toBe('READY');
    now = new Date('2024-03-01T03:10:00Z');
    expect((await call('GET', `/v1/payments/orders/${ORDER}`)).json.status).toBe('EXPIRED');
    const late = await confirm(paymentKey);
    expect(late.status).toBe(404);
    expect(late.json.code).toBe('NOT_FOUND_PAYMENT_SESSION');
    const reopened = await openSession();
    expect(reopened).not.toBe(paymentKey);
    expect((await confirm(reopened)).status).toBe(200);
  });

  it('delivers PAYMENT_STATUS_CHANGED with createdAt as Toss writes it (Seoul time, microseconds, no offset)', async () => {
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        bodies.push(body);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    try {
      await call('POST', '/__sim/webhooks', { body: { url: `http://127.0.0.1:${port}/hook` } });
      await confirmed();
      for (let i = 0; i < 200 && bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const event = JSON.parse(bodies[0] ?? '{}');
      expect(event).toMatchObject({
        eventType: 'PAYMENT_STATUS_CHANGED',
        data: { status: 'DONE', method: '카드' },
      });
      expect(event.createdAt).toBe('2024-03-01T12:00:00.000000');
    } finally {
      await call('DELETE', '/__sim/webhooks');
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refuses a cancel whose refundableAmount is not the balance', async () => {
    const paymentKey = await confirmed();
    const stale = await cancel(paymentKey, { cancelAmount: 1000, refundableAmount: 9000 });
    expect(stale.status).toBe(400);
    expect(stale.json.code).toBe('NOT_MATCHES_REFUNDABLE_AMOUNT');
    const fresh = await cancel(paymentKey, { cancelAmount: 1000, refundableAmount: 10_000 });
    expect(fresh.json).toMatchObject({ balanceAmount: 9000 });
  });
});

describe('cancel', () => {
  it('cancels the full balance when cancelAmount is absent', async () => {
    const paymentKey = await confirmed();
    now = new Date('2024-03-01T05:00:00Z');
    const answer = await cancel(paymentKey, {}, { 'Idempotency-Key': 'cancel-full' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'CANCELED', balanceAmount: 0, totalAmount: 10_000 });
    expect(answer.json.cancels).toEqual([
      expect.objectContaining({
        transactionKey: expect.any(String),
        cancelReason: 'buyer request',
        cancelAmount: 10_000,
        canceledAt: '2024-03-01T14:00:00+09:00',
      }),
    ]);
    expect(await truth()).toMatchObject({ status: 'CANCELED', balanceAmount: 0, cancelCalls: 1 });
  });

  it('cancels partially, replays by key, and refuses to cancel more than the balance', async () => {
    const paymentKey = await confirmed();
    const partial = await cancel(paymentKey, { cancelAmount: 3000 }, { 'Idempotency-Key': 'cancel-1' });
    expect(partial.json).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 7000 });
    const replay = await cancel(paymentKey, { cancelAmount: 3000 }, { 'Idempotency-Key': 'cancel-1' });
    expect(replay.text).toBe(partial.text);
    const over = await cancel(paymentKey, { cancelAmount: 7001 }, { 'Idempotency-Key': 'cancel-2' });
    expect(over.status).toBe(403);
    expect(over.json.code).toBe('NOT_CANCELABLE_AMOUNT');
    // Toss keeps the refusal as the key's answer: the rest is canceled under another key.
    const refusedAgain = await cancel(paymentKey, { cancelAmount: 7000 }, { 'Idempotency-Key': 'cancel-2' });
    expect(refusedAgain.text).toBe(over.text);
    const rest = await cancel(paymentKey, { cancelAmount: 7000 }, { 'Idempotency-Key': 'cancel-3' });
    expect(rest.json).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
    expect(rest.json.cancels.map((c: { cancelAmount: number }) => c.cancelAmount)).toEqual([3000, 7000]);
    expect(await truth()).toMatchObject({ status: 'CANCELED', balanceAmount: 0, cancelCalls: 5 });
    const again = await cancel(paymentKey, {}, { 'Idempotency-Key': 'cancel-4' });
    expect(again.status).toBe(400);
    expect(again.json.code).toBe('ALREADY_CANCELED_PAYMENT');
  });

  it('answers NOT_CANCELABLE_PAYMENT before approval and NOT_FOUND_PAYMENT for an unknown key', async () => {
    const paymentKey = await openSession();
    const notApproved = await cancel(paymentKey, {});
    expect(notApproved.status).toBe(403);
    expect(notApproved.json.code).toBe('NOT_CANCELABLE_PAYMENT');
    const unknown = await cancel('tsim_unknown', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('NOT_FOUND_PAYMENT');
  });
});

describe('retrieve by orderId', () => {
  it('shows READY for a fresh session, DONE once confirmed, and 404 for an unknown order', async () => {
    const paymentKey = await openSession();
    const ready = await call('GET', `/v1/payments/orders/${ORDER}`);
    expect(ready.json).toMatchObject({ status: 'READY', paymentKey, approvedAt: null });
    await confirm(paymentKey);
    const done = await call('GET', `/v1/payments/orders/${ORDER}`);
    expect(done.json).toMatchObject({ status: 'DONE', paymentKey, approvedAt: '2024-03-01T12:00:00+09:00' });
    const unknown = await call('GET', '/v1/payments/orders/order-none');
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('NOT_FOUND_PAYMENT');
    expect((await call('GET', '/__sim/orders/order-none')).status).toBe(404);
  });
});

describe('settlements', () => {
  const settlements = (query: string) => call('GET', `/v1/settlements?${query}`);

  /** Three approvals on 2024-03-01 (Seoul), one just after midnight Seoul, a cancel on 2024-03-02. */
  async function seed(): Promise<void> {
    now = new Date('2024-03-01T01:00:00Z');
    await confirmed('order-a01', 10_000);
    now = new Date('2024-03-01T02:00:00Z');
    await confirmed('order-b02', 20_000);
    now = new Date('2024-03-01T14:59:59Z');
    const lastOfDay = await confirmed('order-c03', 30_000);
    now = new Date('2024-03-01T15:00:00Z');
    await confirmed('order-d04', 40_000);
    now = new Date('2024-03-02T01:00:00Z');
    expect((await cancel(lastOfDay, { cancelAmount: 5000 })).status).toBe(200);
    // Rows appear from the day after theirs: this is 09:00 on 2024-03-03 in Seoul.
    now = new Date('2024-03-03T00:00:00Z');
  }

  it("serves a day's rows only from the next day (Seoul)", async () => {
    await seed();
    now = new Date('2024-03-02T14:59:59Z');
    const sameDay = await settlements('startDate=2024-03-01&endDate=2024-03-02');
    expect(sameDay.json.map((row: { soldDate: string }) => row.soldDate)).toEqual([
      '2024-03-01',
      '2024-03-01',
      '2024-03-01',
    ]);
    now = new Date('2024-03-02T15:00:00Z');
    expect((await settlements('startDate=2024-03-01&endDate=2024-03-02')).json).toHaveLength(5);
  });

  it('selects by paidOutDate when asked (D+2 here)', async () => {
    await seed();
    const paid = await settlements('startDate=2024-03-03&endDate=2024-03-03&dateType=paidOutDate');
    expect(paid.json.map((row: { orderId: string }) => row.orderId)).toEqual([
      'order-a01',
      'order-b02',
      'order-c03',
    ]);
    expect((await settlements('startDate=2024-03-03&endDate=2024-03-03&dateType=sold')).status).toBe(400);
  });

  it('takes a page delay and an as-of instant through /__sim/settlements', async () => {
    await seed();
    expect(
      (await call('POST', '/__sim/settlements', { body: { asOf: '2024-03-01T14:00:00Z' } })).status,
    ).toBe(200);
    expect((await settlements('startDate=2024-03-01&endDate=2024-03-02')).json).toHaveLength(0);
    await call('POST', '/__sim/settlements', { body: { asOf: null, pageDelayMs: 300 } });
    expect((await settlements('startDate=2024-03-01&endDate=2024-03-02')).json).toHaveLength(5);
    await call('POST', '/__sim/settlements', { body: { pageDelayMs: 0 } });
    expect((await call('POST', '/__sim/settlements', { body: { pageDelayMs: -1 } })).status).toBe(400);
  });

  it('filters by the Seoul date of approvals and cancels, with negative cancel rows', async () => {
    await seed();
    const first = await settlements('startDate=2024-03-01&endDate=2024-03-01');
    expect(first.status).toBe(200);
    expect(first.json.map((row: { orderId: string }) => row.orderId)).toEqual([
      'order-a01',
      'order-b02',
      'order-c03',
    ]);
    expect(first.json[0]).toMatchObject({
      currency: 'KRW',
      method: '카드',
      amount: 10_000,
      interestFee: 0,
      approvedAt: '2024-03-01T10:00:00+09:00',
      soldDate: '2024-03-01',
      paidOutDate: '2024-03-03',
      cancel: null,
      fees: [{ type: 'BASE', fee: 320 }],
      fee: 320,
      supplyAmount: 291,
      vat: 29,
      payOutAmount: 9680,
    });

    const second = await settlements('startDate=2024-03-02&endDate=2024-03-02');
    expect(second.json.map((row: { orderId: string; amount: number }) => [row.orderId, row.amount])).toEqual([
      ['order-d04', 40_000],
      ['order-c03', -5000],
    ]);
    const cancelRow = second.json[1];
    expect(cancelRow).toMatchObject({
      soldDate: '2024-03-02',
      fees: [{ type: 'BASE', fee: -160 }],
      fee: -160,
      payOutAmount: -4840,
      cancel: {
        transactionKey: cancelRow.transactionKey,
        cancelAmount: 5000,
        canceledAt: '2024-03-02T10:00:00+09:00',
        cancelStatus: 'DONE',
      },
    });
    const approvalRow = first.json[2];
    expect(cancelRow.paymentKey).toBe(approvalRow.paymentKey);
    expect(cancelRow.transactionKey).not.toBe(approvalRow.transactionKey);
  });

  it('pages deterministically with a 1-based page', async () => {
    await seed();
    const range = 'startDate=2024-03-01&endDate=2024-03-02';
    const all = (await settlements(`${range}&size=10`)).json;
    expect(all).toHaveLength(5);
    const page1 = (await settlements(`${range}&page=1&size=2`)).json;
    const page2 = (await settlements(`${range}&page=2&size=2`)).json;
    const page3 = (await settlements(`${range}&page=3&size=2`)).json;
    const page4 = (await settlements(`${range}&page=4&size=2`)).json;
    expect([...page1, ...page2, ...page3]).toEqual(all);
    expect(page3).toHaveLength(1);
    expect(page4).toEqual([]);
  });

  it.each([
    'startDate=2024-03-01&endDate=2024-03-01&size=5001',
    'startDate=2024-03-01&endDate=2024-03-01&page=0',
    'endDate=2024-03-01',
    'startDate=2024-02-30&endDate=2024-03-01',
    'startDate=2024-03-02&endDate=2024-03-01',
  ])('rejects %s with 400', async (query) => {
    const answer = await settlements(query);
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('INVALID_REQUEST');
  });
});
