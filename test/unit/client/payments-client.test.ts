import {
  PaymentsApiError,
  PaymentsClient,
  type PaymentsClientOptions,
  PaymentsNetworkError,
  SettlementTimeoutError,
} from '../../../client/src';
import { localPrincipals, verifySignature } from '../../../local/runtime/sigv4';
import { problem, type Received, type Reply, scriptedServer } from './scripted-server';

const shop = localPrincipals({}).shop;
const CHECKOUT = {
  buyerId: 'buyer-1',
  orderName: 'A book',
  currency: 'KRW' as const,
  items: [{ sellerId: 'seller-a', productId: 'book-1', amount: 7_000 }],
};
const CREATED = {
  orderId: 'ord_123456',
  orderName: 'A book',
  amount: 7_000,
  currency: 'KRW',
  status: 'NOT_STARTED',
  createdAt: '2026-01-01T00:00:00.000Z',
};

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A client of a scripted server; its waits are recorded instead of slept. */
async function setUp(
  reply: (received: Received, index: number) => Reply,
  options: Partial<PaymentsClientOptions> = {},
) {
  const server = await scriptedServer(reply);
  servers.push(server);
  const waits: number[] = [];
  const client = new PaymentsClient({
    baseUrl: server.url,
    credentials: shop,
    region: 'us-east-1',
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { client, received: server.received, waits };
}

async function signatureOf(received: Received) {
  const url = new URL(received.url, 'http://unused');
  return verifySignature(
    {
      method: received.method,
      path: url.pathname,
      query: url.searchParams,
      headers: received.headers,
      body: received.body,
    },
    [shop],
    'us-east-1',
  );
}

describe('PaymentsClient', () => {
  it('signs every request with SigV4 as the local front door verifies it, body hash included', async () => {
    const { client, received } = await setUp(() => ({ status: 201, body: CREATED }));

    await expect(client.createCheckout(CHECKOUT)).resolves.toEqual(CREATED);

    expect(received).toHaveLength(1);
    expect(await signatureOf(received[0] as Received)).toMatchObject({
      ok: true,
      principal: { kind: 'shop' },
    });
    expect(JSON.parse((received[0] as Received).body)).toEqual(CHECKOUT);
  });

  it('a tampered body no longer matches the signature (the verifier can fail)', async () => {
    const { client, received } = await setUp(() => ({ status: 201, body: CREATED }));
    await client.createCheckout(CHECKOUT);
    const tampered = {
      ...(received[0] as Received),
      body: (received[0] as Received).body.replace('7000', '7001'),
    };
    expect(await signatureOf(tampered)).toEqual({ ok: false, refusal: 'INVALID_SIGNATURE' });
  });

  it('reuses one Idempotency-Key across the retries of one operation, and uses a new one per operation', async () => {
    const { client, received } = await setUp((_, index) =>
      index < 2 ? { status: 503, body: problem(503, 'PSP_UNAVAILABLE') } : { status: 201, body: CREATED },
    );

    await client.createCheckout(CHECKOUT);
    await client.createCheckout(CHECKOUT);

    const keys = received.map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{6,64}$/);
    for (const request of received) expect(await signatureOf(request)).toMatchObject({ ok: true });
  });

  it('sends a given Idempotency-Key as is', async () => {
    const { client, received } = await setUp(() => ({ status: 201, body: CREATED }));
    await client.createCheckout(CHECKOUT, { idempotencyKey: 'cart-42-attempt' });
    expect(received[0]?.headers['idempotency-key']).toBe('cart-42-attempt');
  });

  it('backs off exponentially with full jitter on 409 IDEMPOTENCY_IN_PROGRESS, 429 and 503', async () => {
    const script: Reply[] = [
      { status: 409, body: problem(409, 'IDEMPOTENCY_IN_PROGRESS') },
      { status: 429, body: problem(429, 'THROTTLED') },
      { status: 503, body: problem(503, 'PSP_UNAVAILABLE') },
      {
        status: 200,
        body: { orderId: 'ord_123456', status: 'SUCCESS', paymentKey: 'pk', amount: 7_000, approvedAt: 'x' },
      },
    ];
    const { client, received, waits } = await setUp((_, index) => script[index] as Reply);

    const outcome = await client.confirmPayment({ orderId: 'ord_123456', paymentKey: 'pk', amount: 7_000 });

    expect(outcome.status).toBe('SUCCESS');
    expect(received).toHaveLength(4);
    // random() = 0.5 of ceilings 200, 400, 800 ms.
    expect(waits).toEqual([100, 200, 400]);
  });

  it('honours Retry-After, in seconds or as an HTTP date, capped by the policy', async () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    const script: Reply[] = [
      { status: 429, body: problem(429, 'THROTTLED'), headers: { 'retry-after': '3' } },
      {
        status: 409,
        body: problem(409, 'IDEMPOTENCY_IN_PROGRESS'),
        headers: { 'retry-after': inTwoSeconds },
      },
      { status: 503, body: problem(503, 'PSP_UNAVAILABLE'), headers: { 'retry-after': '3600' } },
      { status: 201, body: CREATED },
    ];
    const { client, waits } = await setUp((_, index) => script[index] as Reply, {
      retry: { maxDelayMs: 5_000 },
    });

    await client.createCheckout(CHECKOUT);

    expect(waits[0]).toBe(3_000);
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(2_000);
    expect(waits[2]).toBe(5_000);
  });

  it('retries a connection closed without an answer, then reports a network error when every attempt failed', async () => {
    const once = await setUp((_, index) => (index === 0 ? 'drop' : { status: 201, body: CREATED }));
    await expect(once.client.createCheckout(CHECKOUT)).resolves.toEqual(CREATED);
    expect(once.received).toHaveLength(2);

    const never = await setUp(() => 'drop', { retry: { maxAttempts: 3 } });
    await expect(never.client.createCheckout(CHECKOUT)).rejects.toBeInstanceOf(PaymentsNetworkError);
    expect(never.received).toHaveLength(3);
  });

  it('does not retry what a retry cannot change, and throws the problem as a typed error', async () => {
    const { client, received } = await setUp(() => ({
      status: 409,
      body: problem(409, 'INVALID_STATE', 'The payment is not SUCCESS or PARTIAL_CANCELED.'),
    }));

    const error = await client
      .cancelPayment('ord_123456', { cancelReason: 'changed mind' })
      .catch((e: unknown) => e);

    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(PaymentsApiError);
    expect(error).toMatchObject({
      status: 409,
      code: 'INVALID_STATE',
      detail: 'The payment is not SUCCESS or PARTIAL_CANCELED.',
      title: 'INVALID_STATE',
      type: 'https://example.test/problems/INVALID_STATE',
    });
  });

  it('gives up after maxAttempts and throws the last problem', async () => {
    const { client, received } = await setUp(() => ({ status: 503, body: problem(503, 'PSP_UNAVAILABLE') }), {
      retry: { maxAttempts: 2 },
    });
    await expect(client.getPayment('ord_123456')).rejects.toMatchObject({
      status: 503,
      code: 'PSP_UNAVAILABLE',
    });
    expect(received).toHaveLength(2);
  });

  it('a body that is not problem+json still becomes a typed error', async () => {
    const { client } = await setUp(() => ({ status: 502, body: 'Bad gateway' }));
    await expect(client.getPayment('ord_123456')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
  });

  it.each([
    [
      'the documented Failed body',
      { orderId: 'ord_123456', status: 'FAILURE', code: 'REJECT_CARD_PAYMENT', message: 'rejected' },
    ],
    ['a problem+json 402', { ...problem(402, 'REJECT_CARD_PAYMENT', 'rejected'), orderId: 'ord_123456' }],
  ])('a decline is an outcome, not an error: %s', async (_, body) => {
    const { client } = await setUp(() => ({ status: 402, body }));
    await expect(
      client.confirmPayment({ orderId: 'ord_123456', paymentKey: 'pk', amount: 7_000 }),
    ).resolves.toEqual({
      orderId: 'ord_123456',
      status: 'FAILURE',
      code: 'REJECT_CARD_PAYMENT',
      message: 'rejected',
    });
  });

  it('an outcome not known yet (202) is an answer too', async () => {
    const { client } = await setUp(() => ({
      status: 202,
      body: { orderId: 'ord_123456', status: 'UNKNOWN' },
    }));
    await expect(
      client.cancelPayment('ord_123456', { cancelReason: 'r', cancelAmount: 1_000 }),
    ).resolves.toEqual({
      orderId: 'ord_123456',
      status: 'UNKNOWN',
    });
  });

  it('waitUntilSettled reads the payment until wallet and ledger have applied its latest event', async () => {
    const view = (walletSettled: boolean, ledgerRecorded: boolean) => ({
      orderId: 'ord_123456',
      status: 'SUCCESS',
      amount: 7_000,
      balanceAmount: 7_000,
      walletSettled,
      ledgerRecorded,
      done: walletSettled && ledgerRecorded,
      events: [],
    });
    const script = [view(false, false), view(true, false), view(true, true)];
    const { client, received, waits } = await setUp((_, index) => ({ status: 200, body: script[index] }));

    await expect(client.waitUntilSettled('ord_123456', { intervalMs: 10 })).resolves.toMatchObject({
      done: true,
    });

    expect(received.map((request) => request.url)).toEqual(Array(3).fill('/payments/ord_123456'));
    expect(waits).toEqual([10, 10]);
  });

  it('waitUntilSettled gives up at its deadline with the payment as last seen', async () => {
    const pending = { orderId: 'ord_123456', status: 'UNKNOWN', done: false };
    const { client } = await setUp(() => ({ status: 200, body: pending }), {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    const error = await client
      .waitUntilSettled('ord_123456', { timeoutMs: 50, intervalMs: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettlementTimeoutError);
    expect(error).toMatchObject({ orderId: 'ord_123456', last: pending });
  });

  it('keeps the base URL path (a deployed stage) in the request and its signature', async () => {
    const server = await scriptedServer(() => ({ status: 200, body: { status: 'ok' } }));
    servers.push(server);
    const client = new PaymentsClient({
      baseUrl: `${server.url}/v1/`,
      credentials: shop,
      region: 'us-east-1',
    });
    await client.health();
    expect(server.received[0]?.url).toBe('/v1/health');
    expect(await signatureOf(server.received[0] as Received)).toMatchObject({ ok: true });
  });
});
