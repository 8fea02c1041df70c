/**
 * The HTTP contract (DESIGN §3, §4) end to end, over HTTP only: the local stack by default,
 * or a deployed API (E2E_BASE_URL). Tests that drive the PSP simulator's `/__sim/*` control
 * routes are registered only when PSP_URL is set (the local stack).
 */
import {
  api,
  checkoutBody,
  createOrder,
  expectProblem,
  getPayment,
  type HttpAnswer,
  newKey,
  postCancel,
  postCheckout,
  postConfirm,
  pspUrl,
  sim,
} from '../support/http-client';

/** Generous: a PSP timeout costs one 10 s request timeout before the confirm gives up. */
const SLOW_TEST_MS = 60_000;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function expectJson(answer: HttpAnswer, status: number): void {
  expect({
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    body: answer.json,
  }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/json/),
    body: expect.anything(),
  });
}

/** A checkout and the buyer's authentication at the PSP: what the success redirect carries. */
async function authorizedOrder(): Promise<{ orderId: string; amount: number; paymentKey: string }> {
  const order = await createOrder();
  const paymentKey = await sim.session(order.orderId, order.amount);
  return { ...order, paymentKey };
}

async function confirmedOrder(): Promise<{ orderId: string; amount: number; paymentKey: string }> {
  const order = await authorizedOrder();
  const answer = await postConfirm(order);
  expect(answer.status).toBe(200);
  return order;
}

describe('GET /health', () => {
  it('answers 200 {status: ok}', async () => {
    const answer = await api('GET', '/health');
    expectJson(answer, 200);
    expect(answer.json).toEqual({ status: 'ok' });
  });
});

describe('POST /checkouts', () => {
  it('creates a NOT_STARTED order: 201 with the contract shape and the items total', async () => {
    const answer = await postCheckout(newKey('co'));
    expectJson(answer, 201);
    expect(answer.json).toEqual({
      orderId: expect.stringMatching(/^[A-Za-z0-9_-]{6,64}$/),
      orderName: 'Two books',
      amount: 10_000,
      currency: 'KRW',
      status: 'NOT_STARTED',
      createdAt: expect.stringMatching(ISO_INSTANT),
    });
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a repeat with the same key: same order, byte-identical body, Idempotent-Replayed: true', async () => {
    const key = newKey('co');
    const first = await postCheckout(key);
    const again = await postCheckout(key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json.orderId).toBe(first.json.orderId);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
  });

  it('derives the order id from the key: different keys make different orders', async () => {
    const [a, b] = await Promise.all([postCheckout(newKey('co')), postCheckout(newKey('co'))]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.orderId).not.toBe(b.json.orderId);
  });

  it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = newKey('co');
    expect((await postCheckout(key)).status).toBe(201);
    const other = await postCheckout(key, checkoutBody({ orderName: 'Three books' }));
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses a missing Idempotency-Key: 400 problem+json', async () => {
    expectProblem(await postCheckout(undefined), 400, 'IDEMPOTENCY_KEY_MISSING');
  });

  it.each([
    ['too short', 'abc12'],
    ['too long', 'k'.repeat(65)],
    ['outside [A-Za-z0-9_-]', 'key.with.dots'],
    ['with a space inside', 'key with space'],
  ])('refuses an invalid Idempotency-Key (%s): 400 problem+json', async (_, key) => {
    expectProblem(await postCheckout(key), 400, 'IDEMPOTENCY_KEY_INVALID');
  });

  it('refuses an invalid body: 400 problem+json', async () => {
    const answer = await postCheckout(newKey('co'), checkoutBody({ items: [] }));
    expectProblem(answer, 400);
  });
});

describe('POST /payments/confirm without the simulator', () => {
  it('answers 404 ORDER_NOT_FOUND for an order that was never checked out', async () => {
    const answer = await postConfirm({ paymentKey: 'pk_nobody', orderId: newKey('missing'), amount: 1_000 });
    expectProblem(answer, 404, 'ORDER_NOT_FOUND');
  });

  it('answers 400 problem+json for a malformed body', async () => {
    expectProblem(await api('POST', '/payments/confirm', { rawBody: '{"orderId":' }), 400, 'MALFORMED_JSON');
  });
});

describe('GET /payments/{orderId} without the simulator', () => {
  it('shows a fresh order as NOT_STARTED with no events', async () => {
    const { orderId, amount } = await createOrder();
    const answer = await getPayment(orderId);
    expectJson(answer, 200);
    expect(answer.json).toEqual({
      orderId,
      status: 'NOT_STARTED',
      amount,
      balanceAmount: amount,
      walletSettled: false,
      ledgerRecorded: false,
      done: false,
      events: [],
    });
  });

  it('answers 404 problem+json for an unknown order', async () => {
    expectProblem(await getPayment(newKey('missing')), 404, 'ORDER_NOT_FOUND');
  });
});

describe('POST /payments/{orderId}/cancel without the simulator', () => {
  it('refuses to cancel a NOT_STARTED order: 409 INVALID_STATE', async () => {
    const { orderId } = await createOrder();
    const answer = await postCancel(orderId, newKey('cx'), { cancelReason: 'changed my mind' });
    expectProblem(answer, 409, 'INVALID_STATE');
    expect((await getPayment(orderId)).json.status).toBe('NOT_STARTED');
  });

  it('refuses a cancel without Idempotency-Key: 400 problem+json', async () => {
    const { orderId } = await createOrder();
    const answer = await postCancel(orderId, undefined, { cancelReason: 'changed my mind' });
    expectProblem(answer, 400, 'IDEMPOTENCY_KEY_MISSING');
  });
});

// The rest needs the PSP simulator's control routes: registered on the local stack only.
if (pspUrl()) {
  describe('POST /payments/confirm (PSP simulator)', () => {
    it('confirms: 200 {orderId, status: SUCCESS, paymentKey, amount, approvedAt}; the PSP approved once', async () => {
      const order = await authorizedOrder();
      const answer = await postConfirm(order);
      expectJson(answer, 200);
      expect(answer.json).toEqual({
        orderId: order.orderId,
        status: 'SUCCESS',
        paymentKey: order.paymentKey,
        amount: order.amount,
        approvedAt: expect.stringMatching(ISO_INSTANT),
      });
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
      const truth = await sim.truth(order.orderId);
      expect(truth).toMatchObject({ status: 'DONE', confirmCalls: 1, amount: order.amount });
    });

    it('replays a repeated confirm byte-for-byte with Idempotent-Replayed: true, without calling the PSP', async () => {
      const order = await authorizedOrder();
      const first = await postConfirm(order);
      const again = await postConfirm(order);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await sim.truth(order.orderId)).confirmCalls).toBe(1);
    });

    it(
      'executes 50 identical concurrent confirms once: 200 same body or 409 IDEMPOTENCY_IN_PROGRESS, never 5xx',
      async () => {
        const order = await authorizedOrder();
        const answers = await Promise.all(Array.from({ length: 50 }, () => postConfirm(order)));

        expect(answers.filter((a) => a.status >= 500)).toEqual([]);
        expect(answers.filter((a) => a.status !== 200 && a.status !== 409).map((a) => a.status)).toEqual([]);
        const successes = answers.filter((a) => a.status === 200);
        expect(successes.length).toBeGreaterThanOrEqual(1);
        const body = successes[0]?.text;
        for (const success of successes) expect(success.text).toBe(body);
        for (const refused of answers.filter((a) => a.status === 409)) {
          expectProblem(refused, 409, 'IDEMPOTENCY_IN_PROGRESS');
          expect(refused.headers.get('retry-after')).toBe('1');
        }

        console.log(
          `50 concurrent confirms: ${successes.length} × 200, ${answers.length - successes.length} × 409`,
        );
        const truth = await sim.truth(order.orderId);
        expect(truth).toMatchObject({ status: 'DONE', confirmCalls: 1 });
        expect((await getPayment(order.orderId)).json.status).toBe('SUCCESS');
        const later = await postConfirm(order);
        expect(later.status).toBe(200);
        expect(later.text).toBe(body);
        expect(later.headers.get('idempotent-replayed')).toBe('true');
      },
      SLOW_TEST_MS,
    );

    it('refuses an amount other than the checkout: 400 AMOUNT_MISMATCH, never sent to the PSP', async () => {
      const order = await authorizedOrder();
      const answer = await postConfirm({ ...order, amount: order.amount + 1 });
      expectProblem(answer, 400, 'AMOUNT_MISMATCH');
      expect((await sim.truth(order.orderId)).confirmCalls).toBe(0);
      expect((await getPayment(order.orderId)).json.status).toBe('NOT_STARTED');
      // The refusal is not remembered: the right amount still confirms.
      expect((await postConfirm(order)).status).toBe(200);
    });

    it('refuses the same order confirmed again with another paymentKey: 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const order = await confirmedOrder();
      const answer = await postConfirm({ ...order, paymentKey: 'tsim_another_payment_key' });
      expectProblem(answer, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect((await sim.truth(order.orderId)).confirmCalls).toBe(1);
      expect((await getPayment(order.orderId)).json).toMatchObject({
        status: 'SUCCESS',
        paymentKey: order.paymentKey,
      });
    });

    it('answers 404 for an unknown order and sends nothing to the PSP', async () => {
      const orderId = newKey('never-checked-out');
      const paymentKey = await sim.session(orderId, 5_000);
      const answer = await postConfirm({ orderId, paymentKey, amount: 5_000 });
      expectProblem(answer, 404, 'ORDER_NOT_FOUND');
      expect((await sim.truth(orderId)).confirmCalls).toBe(0);
    });

    it('answers a PSP decline with a 402 problem {code, orderId, paymentStatus: FAILURE}, and remembers it', async () => {
      const order = await authorizedOrder();
      await sim.scenario(order.orderId, ['decline:REJECT_CARD_PAYMENT']);
      const answer = await postConfirm(order);
      expect(answer.status).toBe(402);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.json).toMatchObject({
        type: 'urn:problem:payments:payment_declined',
        status: 402,
        orderId: order.orderId,
        paymentStatus: 'FAILURE',
        code: 'REJECT_CARD_PAYMENT',
        instance: expect.any(String),
      });
      const again = await postConfirm(order);
      expect(again.status).toBe(402);
      expect(again.text).toBe(answer.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await sim.truth(order.orderId)).toMatchObject({ status: 'ABORTED', confirmCalls: 1 });
      const view = (await getPayment(order.orderId)).json;
      expect(view).toMatchObject({ status: 'FAILURE', failure: { code: 'REJECT_CARD_PAYMENT' } });
      expect(view.events.map((e: { type: string }) => e.type)).toEqual(['PaymentFailed']);
    });

    it(
      'retries transient PSP errors with the same key, then succeeds: 200 SUCCESS after 3 PSP calls',
      async () => {
        const order = await authorizedOrder();
        await sim.scenario(order.orderId, [
          'error:PROVIDER_ERROR',
          'error:FAILED_INTERNAL_SYSTEM_PROCESSING',
          'approve',
        ]);
        const answer = await postConfirm(order);
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ orderId: order.orderId, status: 'SUCCESS' });
        expect(await sim.truth(order.orderId)).toMatchObject({ status: 'DONE', confirmCalls: 3 });
      },
      SLOW_TEST_MS,
    );

    it(
      'answers 202 {status: UNKNOWN} when the PSP never answers, and shows the payment UNKNOWN',
      async () => {
        const order = await authorizedOrder();
        await sim.scenario(order.orderId, ['timeout', 'timeout', 'timeout', 'timeout']);
        const answer = await postConfirm(order);
        expectJson(answer, 202);
        expect(answer.json).toMatchObject({ status: 'UNKNOWN' });
        expect(answer.headers.get('idempotent-replayed')).toBeNull();
        const view = (await getPayment(order.orderId)).json;
        expect(view).toMatchObject({
          orderId: order.orderId,
          status: 'UNKNOWN',
          paymentKey: order.paymentKey,
        });
        expect(view.events).toEqual([]);
        // Nothing was approved at the PSP.
        expect((await sim.truth(order.orderId)).status).not.toBe('DONE');
      },
      SLOW_TEST_MS,
    );

    it(
      'never approves twice when the approval is lost in transit (approve-then-timeout)',
      async () => {
        const order = await authorizedOrder();
        await sim.scenario(order.orderId, ['approve-then-timeout']);
        const first = await postConfirm(order);
        // The contract allows both: 202 if the gateway gave up, or 200 if its own retry (same
        // Idempotency-Key) already got the PSP's stored approval back.
        expect([200, 202]).toContain(first.status);
        if (first.status === 202) {
          expect(first.json).toMatchObject({ status: 'UNKNOWN' });
          expect((await getPayment(order.orderId)).json.status).toBe('UNKNOWN');
        }
        const retry = await postConfirm(order);
        expect(retry.status).toBe(200);
        expect(retry.json).toMatchObject({
          orderId: order.orderId,
          status: 'SUCCESS',
          paymentKey: order.paymentKey,
          amount: order.amount,
        });
        const truth = await sim.truth(order.orderId);
        expect(truth.status).toBe('DONE');
        const view = (await getPayment(order.orderId)).json;
        expect(view.status).toBe('SUCCESS');
        // Approved once: exactly one PaymentConfirmed in the payment's history.
        expect(view.events.map((e: { type: string }) => e.type)).toEqual(['PaymentConfirmed']);
        console.log(
          `approve-then-timeout: first confirm answered ${first.status}; PSP confirm calls ${truth.confirmCalls}`,
        );
      },
      SLOW_TEST_MS,
    );
  });

  describe('GET /payments/{orderId} (PSP simulator)', () => {
    it('shows a confirmed payment with the contract shape and its event history', async () => {
      const order = await confirmedOrder();
      const answer = await getPayment(order.orderId);
      expectJson(answer, 200);
      expect(answer.json).toEqual({
        orderId: order.orderId,
        status: 'SUCCESS',
        amount: order.amount,
        balanceAmount: order.amount,
        paymentKey: order.paymentKey,
        approvedAt: expect.stringMatching(ISO_INSTANT),
        walletSettled: expect.any(Boolean),
        ledgerRecorded: expect.any(Boolean),
        done: expect.any(Boolean),
        events: [{ seq: 1, type: 'PaymentConfirmed', at: expect.stringMatching(ISO_INSTANT) }],
      });
    });
  });

  describe('POST /payments/{orderId}/cancel (PSP simulator)', () => {
    it('cancels partially (PARTIAL_CANCELED with the balance), then the rest (CANCELED)', async () => {
      const order = await confirmedOrder();
      const partial = await postCancel(order.orderId, newKey('cx'), {
        cancelReason: 'one book out of stock',
        cancelAmount: 3_000,
      });
      expectJson(partial, 200);
      expect(partial.json).toEqual({
        orderId: order.orderId,
        status: 'PARTIAL_CANCELED',
        balanceAmount: 7_000,
      });
      expect(await sim.truth(order.orderId)).toMatchObject({
        status: 'PARTIAL_CANCELED',
        balanceAmount: 7_000,
      });

      const rest = await postCancel(order.orderId, newKey('cx'), { cancelReason: 'buyer changed mind' });
      expectJson(rest, 200);
      expect(rest.json).toEqual({ orderId: order.orderId, status: 'CANCELED', balanceAmount: 0 });
      expect(await sim.truth(order.orderId)).toMatchObject({
        status: 'CANCELED',
        balanceAmount: 0,
        cancelCalls: 2,
      });

      const view = (await getPayment(order.orderId)).json;
      expect(view).toMatchObject({ status: 'CANCELED', balanceAmount: 0, amount: order.amount });
      expect(view.events.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
        [1, 'PaymentConfirmed'],
        [2, 'PaymentCanceled'],
        [3, 'PaymentCanceled'],
      ]);
    });

    it('refuses a cancel above the balance: 422 CANCEL_AMOUNT_EXCEEDS_BALANCE, never sent to the PSP', async () => {
      const order = await confirmedOrder();
      const answer = await postCancel(order.orderId, newKey('cx'), {
        cancelReason: 'too much',
        cancelAmount: order.amount + 1,
      });
      expectProblem(answer, 422, 'CANCEL_AMOUNT_EXCEEDS_BALANCE');
      expect(await sim.truth(order.orderId)).toMatchObject({ status: 'DONE', cancelCalls: 0 });
      expect((await getPayment(order.orderId)).json).toMatchObject({
        status: 'SUCCESS',
        balanceAmount: order.amount,
      });
    });

    it('replays a cancel with the same key: same body, Idempotent-Replayed: true, canceled once', async () => {
      const order = await confirmedOrder();
      const key = newKey('cx');
      const body = { cancelReason: 'damaged', cancelAmount: 1_000 };
      const first = await postCancel(order.orderId, key, body);
      const again = await postCancel(order.orderId, key, body);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await sim.truth(order.orderId)).toMatchObject({ balanceAmount: 9_000, cancelCalls: 1 });
      expect((await getPayment(order.orderId)).json.balanceAmount).toBe(9_000);
    });

    it('refuses a cancel without Idempotency-Key on a confirmed payment: 400, nothing canceled', async () => {
      const order = await confirmedOrder();
      const answer = await postCancel(order.orderId, undefined, { cancelReason: 'no key' });
      expectProblem(answer, 400, 'IDEMPOTENCY_KEY_MISSING');
      expect(await sim.truth(order.orderId)).toMatchObject({ status: 'DONE', cancelCalls: 0 });
    });
  });
}
