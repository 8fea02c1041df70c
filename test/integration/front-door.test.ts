/**
 * The local runtime's front door against what used to take it down or answer 5xx: a `//` path
 * (`curl --path-as-is`), malformed percent-encoding and ids too long to be DynamoDB keys. Each
 * gets a 4xx and the runtime keeps serving; the id limits are the handlers' own, so they hold
 * behind API Gateway too.
 */
import {
  api,
  checkoutBody,
  type HttpAnswer,
  newKey,
  postCheckout,
  postConfirm,
} from '../support/http-client';

const LONG_ID = 'x'.repeat(3_000);

function expectClientError(answer: HttpAnswer): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
}

async function expectStillServing(): Promise<void> {
  const health = await api('GET', '/health');
  expect(health.status).toBe(200);
  expect(health.json).toEqual({ status: 'ok' });
}

describe('front door: malformed paths', () => {
  it.each([
    '//',
    '///',
    '/payments//cancel',
    '/payments/%zz',
    '/payments/%zz/cancel',
    '/sellers/%E0%A4%A/wallet',
  ])('answers %s with a 4xx and keeps serving', async (path) => {
    expectClientError(await api(path.endsWith('cancel') ? 'POST' : 'GET', path));
    await expectStillServing();
  });

  it('answers a malformed percent-encoded order id with 400', async () => {
    expect((await api('GET', '/payments/%zz')).status).toBe(400);
  });
});

describe('handler-level id limits (DynamoDB key sizes): 400 problem+json, in AWS too', () => {
  function expectProblem400(answer: HttpAnswer, code: string): void {
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.json.code).toBe(code);
  }

  it('refuses a 3,000-character sellerId in the wallet path', async () => {
    expectProblem400(
      await api('GET', `/sellers/${LONG_ID}/wallet`, { as: 'operator' }),
      'INVALID_PATH_PARAMETER',
    );
    await expectStillServing();
  });

  it('refuses a 3,000-character orderId in the payment and cancel paths', async () => {
    expectProblem400(await api('GET', `/payments/${LONG_ID}`), 'INVALID_PATH_PARAMETER');
    const cancel = await api('POST', `/payments/${LONG_ID}/cancel`, {
      body: { cancelReason: 'too long' },
      headers: { 'Idempotency-Key': newKey() },
    });
    expectProblem400(cancel, 'INVALID_PATH_PARAMETER');
    await expectStillServing();
  });

  it.each([
    ['sellerId', { items: [{ sellerId: LONG_ID, productId: 'p-1', amount: 1_000 }] }],
    ['productId', { items: [{ sellerId: 's-1', productId: LONG_ID, amount: 1_000 }] }],
    ['buyerId', { buyerId: LONG_ID }],
  ])('refuses a checkout with a 3,000-character %s', async (_, overrides) => {
    expectProblem400(await postCheckout(newKey(), checkoutBody(overrides)), 'VALIDATION_FAILED');
  });

  it('refuses a confirm with a 3,000-character orderId or paymentKey', async () => {
    for (const body of [
      { paymentKey: 'pk-1', orderId: LONG_ID, amount: 1_000 },
      { paymentKey: LONG_ID, orderId: 'order-123456', amount: 1_000 },
    ]) {
      expectProblem400(await postConfirm(body), 'VALIDATION_FAILED');
    }
    await expectStillServing();
  });
});
