/**
 * Who may call what (DESIGN §3a), over HTTP: the local stack by default, or a deployed API
 * (E2E_BASE_URL), where the shop and operator sign with the usual AWS credentials. Refused
 * requests answer problem+json and change nothing.
 */
import {
  api,
  apiUrl,
  callerKindsDistinct,
  checkoutBody,
  createOrder,
  credentialsOf,
  expectProblem,
  getPayment,
  newKey,
  postConfirm,
  pspUrl,
  request,
  signedHeaders,
  sim,
} from '../support/http-client';

const SIGNED_ROUTES = [
  { method: 'POST', path: () => '/checkouts', caller: 'shop' },
  { method: 'POST', path: () => '/payments/confirm', caller: 'shop' },
  { method: 'GET', path: (orderId: string) => `/payments/${orderId}`, caller: 'shop' },
  { method: 'POST', path: (orderId: string) => `/payments/${orderId}/cancel`, caller: 'shop' },
  { method: 'GET', path: () => '/sellers/seller-a/wallet', caller: 'operator' },
  { method: 'GET', path: () => '/ledger/trial-balance', caller: 'operator' },
] as const;

/** An order the shop has paid for when the PSP simulator is there; a fresh checkout otherwise. */
async function payableOrder(): Promise<{ orderId: string; amount: number }> {
  const order = await createOrder();
  if (!pspUrl()) return order;
  const paymentKey = await sim.session(order.orderId, order.amount);
  expect((await postConfirm({ ...order, paymentKey })).status).toBe(200);
  return order;
}

/** What an attacker would change: the payment's status, balance and events, as the operator sees them. */
async function snapshot(orderId: string): Promise<unknown> {
  const answer = await api('GET', `/payments/${orderId}`, { as: 'operator' });
  expect(answer.status).toBe(200);
  const { status, balanceAmount, events } = answer.json;
  return { status, balanceAmount, events };
}

const cancelBody = { cancelReason: 'not mine to cancel' };

describe('public routes', () => {
  it('GET /health answers 200 without credentials', async () => {
    const answer = await api('GET', '/health', { as: 'anonymous' });
    expect({ status: answer.status, body: answer.json }).toEqual({
      status: 200,
      body: expect.objectContaining({ status: expect.any(String) }),
    });
  });
});

describe('unsigned requests', () => {
  it.each(SIGNED_ROUTES)('$method $caller route answers 403 AUTHENTICATION_REQUIRED', async (route) => {
    const answer = await api(route.method, route.path('ord_0123456789abcdef0123456789abcdef'), {
      as: 'anonymous',
      body: route.method === 'POST' ? {} : undefined,
      headers: { 'Idempotency-Key': newKey('anon') },
    });
    expectProblem(answer, 403, 'AUTHENTICATION_REQUIRED');
  });

  it('an anonymous checkout stores nothing: the shop then uses the same key for a fresh order', async () => {
    const key = newKey('anon');
    expectProblem(
      await api('POST', '/checkouts', {
        as: 'anonymous',
        body: checkoutBody(),
        headers: { 'Idempotency-Key': key },
      }),
      403,
      'AUTHENTICATION_REQUIRED',
    );
    const answer = await api('POST', '/checkouts', {
      body: checkoutBody(),
      headers: { 'Idempotency-Key': key },
    });
    expect({ status: answer.status, replayed: answer.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      replayed: null,
    });
  });

  it('20 concurrent anonymous and forged cancels of a paid order change nothing', async () => {
    const { orderId } = await payableOrder();
    const before = await snapshot(orderId);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api('POST', `/payments/${orderId}/cancel`, {
          body: cancelBody,
          headers: { 'Idempotency-Key': newKey(`attack${i}`) },
          ...(i % 2 ? { as: 'anonymous' as const } : { forgeSignature: true }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 403));
    expect(await snapshot(orderId)).toEqual(before);
    if (pspUrl()) expect((await sim.truth(orderId)).cancelCalls).toBe(0);
  });
});

describe('signatures', () => {
  it.each(['shop', 'operator'] as const)(
    'a forged %s signature answers 403 INVALID_SIGNATURE',
    async (as) => {
      const answer = await api('POST', '/checkouts', {
        as,
        forgeSignature: true,
        body: checkoutBody(),
        headers: { 'Idempotency-Key': newKey('forged') },
      });
      expectProblem(answer, 403, 'INVALID_SIGNATURE');
    },
  );

  it('a body other than the one signed answers 403 INVALID_SIGNATURE', async () => {
    const signedBody = JSON.stringify(checkoutBody());
    const sentBody = JSON.stringify(
      checkoutBody({ items: [{ sellerId: 'seller-a', productId: 'p', amount: 1 }] }),
    );
    const url = new URL(`${apiUrl()}/checkouts`);
    const headers = await signedHeaders(
      'POST',
      url,
      { 'Content-Type': 'application/json', 'Idempotency-Key': newKey('tamper') },
      signedBody,
      await credentialsOf('shop'),
    );
    expectProblem(
      await request(apiUrl(), 'POST', '/checkouts', { rawBody: sentBody, headers }),
      403,
      'INVALID_SIGNATURE',
    );
  });

  it('a signature more than 15 minutes old answers 403 INVALID_SIGNATURE; one 14 minutes old passes', async () => {
    const { orderId } = await createOrder();
    const signedAt = async (minutesAgo: number) => {
      const url = new URL(`${apiUrl()}/payments/${orderId}`);
      const when = new Date(Date.now() - minutesAgo * 60_000);
      const headers = await signedHeaders('GET', url, {}, undefined, await credentialsOf('shop'), when);
      return request(apiUrl(), 'GET', `/payments/${orderId}`, { headers });
    };
    expectProblem(await signedAt(16), 403, 'INVALID_SIGNATURE');
    expect((await signedAt(14)).status).toBe(200);
  });
});

describe('caller kinds', () => {
  // Against a deployed stack this needs two principals: E2E_SHOP_PROFILE and E2E_OPERATOR_PROFILE.
  (callerKindsDistinct() ? it.each : it.skip.each)(['/ledger/trial-balance', '/sellers/seller-a/wallet'])(
    'the shop gets 403 ACCESS_DENIED on GET %s',
    async (path) => {
      expectProblem(await api('GET', path), 403, 'ACCESS_DENIED');
    },
  );

  it('the operator gets 200 on the trial balance and may call the shop routes', async () => {
    const trialBalance = await api('GET', '/ledger/trial-balance', { as: 'operator' });
    expect(trialBalance.status).toBe(200);
    const order = await api('POST', '/checkouts', {
      as: 'operator',
      body: checkoutBody(),
      headers: { 'Idempotency-Key': newKey('operator') },
    });
    expect(order.status).toBe(201);
    // The operator's order is its own: it reads it; a shop is told no such order.
    expect((await api('GET', `/payments/${order.json.orderId}`, { as: 'operator' })).status).toBe(200);
    if (callerKindsDistinct()) expectProblem(await getPayment(order.json.orderId), 404, 'ORDER_NOT_FOUND');
  });
});
