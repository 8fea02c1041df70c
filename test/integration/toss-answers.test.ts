/**
 * Toss as documented (issue 15), through the local runtime's HTTP API and the PSP simulator: an
 * answer that is not a documented decline never burns a payment, a cancel the PSP already honoured
 * is recorded from its record, and a reopened order confirms under a key of its own.
 */
import { sellerPayable } from '../../lambdas/domain/ledger';
import { eventually, unique } from '../support/events';
import {
  api,
  checkoutBody,
  createOrder,
  expectProblem,
  getPayment,
  type HttpAnswer,
  newKey,
  postCancel,
  postConfirm,
  request,
  sim,
} from '../support/http-client';
import { SIM_PSP_AUTH } from '../support/own-payments-table';

jest.setTimeout(60_000);

/** The payment once both consumers applied its latest event. */
function settled(orderId: string, events: number): Promise<HttpAnswer> {
  return eventually(
    () => getPayment(orderId),
    (answer) => answer.json?.done === true && answer.json.events.length === events,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

describe('a confirm answered with anything but a documented decline', () => {
  it('a proxy’s HTML 403 leaves the order confirmable; the next confirm succeeds', async () => {
    const { orderId, amount } = await createOrder();
    const paymentKey = await sim.session(orderId, amount);
    await sim.scenario(orderId, ['proxy:403']);

    const blocked = await postConfirm({ paymentKey, orderId, amount });
    expectProblem(blocked, 503, 'PSP_UNAVAILABLE');
    expect((await getPayment(orderId)).json).toMatchObject({ status: 'NOT_STARTED' });
    expect(await sim.truth(orderId)).toMatchObject({ status: 'READY', confirmCalls: 0 });

    const confirmed = await postConfirm({ paymentKey, orderId, amount });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ status: 'SUCCESS', paymentKey });
  });

  it('an unknown error code is not a FAILURE: the PSP shows the session READY, the order stays confirmable', async () => {
    const { orderId, amount } = await createOrder();
    const paymentKey = await sim.session(orderId, amount);
    await sim.scenario(orderId, ['error:SOMETHING_TOSS_NEVER_DOCUMENTED']);

    const answer = await postConfirm({ paymentKey, orderId, amount });
    expect(answer.status).not.toBe(402);
    expectProblem(answer, 503, 'PSP_UNAVAILABLE');
    const payment = (await getPayment(orderId)).json;
    expect(payment.status).toBe('NOT_STARTED');
    expect(payment.failure).toBeUndefined();

    // Toss keeps that answer for the session's key; a new session of the same order confirms.
    const again = await sim.session(orderId, amount);
    const confirmed = await postConfirm({ paymentKey: again, orderId, amount });
    expect(confirmed.json).toMatchObject({ status: 'SUCCESS', paymentKey: again });
  });

  it('a reopened order (NOT_FOUND_PAYMENT_SESSION) confirmed with a new paymentKey succeeds', async () => {
    const { orderId, amount } = await createOrder();
    const first = await sim.session(orderId, amount);
    await sim.scenario(orderId, ['error:NOT_FOUND_PAYMENT_SESSION']);
    expectProblem(
      await postConfirm({ paymentKey: first, orderId, amount }),
      422,
      'PAYMENT_SESSION_NOT_FOUND',
    );
    // The simulator keeps that refusal for the first session's key, as Toss does for 15 days.
    expectProblem(
      await postConfirm({ paymentKey: first, orderId, amount }),
      422,
      'PAYMENT_SESSION_NOT_FOUND',
    );

    const second = await sim.session(orderId, amount);
    const confirmed = await postConfirm({ paymentKey: second, orderId, amount });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ status: 'SUCCESS', paymentKey: second });
    expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', paymentKey: second });
  });
});

describe('a cancel the PSP answers ALREADY_CANCELED_PAYMENT', () => {
  // Webhooks off: the console cancel must reach us through the cancel's own look at the PSP.
  beforeAll(() => sim.webhooksOff());
  afterAll(() => sim.webhooksOn());

  it('is recorded from the PSP’s record: our balance is the PSP’s, wallets and ledger once', async () => {
    const sellers = [unique('seller'), unique('seller')];
    const body = checkoutBody({
      items: [
        { sellerId: sellers[0] ?? '', productId: 'p0', amount: 6_000 },
        { sellerId: sellers[1] ?? '', productId: 'p1', amount: 4_000 },
      ],
    });
    const { orderId, amount } = await createOrder(body);
    const paymentKey = await sim.session(orderId, amount);
    expect((await postConfirm({ paymentKey, orderId, amount })).status).toBe(200);

    // The whole payment is canceled in the PSP's console; we have not heard of it.
    const console = await request(sim.url(), 'POST', `/v1/payments/${paymentKey}/cancel`, {
      body: { cancelReason: 'console' },
      headers: { authorization: SIM_PSP_AUTH },
    });
    expect(console.status).toBe(200);

    const key = newKey('already');
    const answer = await postCancel(orderId, key, { cancelReason: 'buyer request' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
    expect(await sim.truth(orderId)).toMatchObject({ status: 'CANCELED', balanceAmount: 0, cancelCalls: 2 });

    // A retry of the same request, and the PSP's look, add nothing.
    expect((await postCancel(orderId, key, { cancelReason: 'buyer request' })).json).toMatchObject({
      status: 'CANCELED',
      balanceAmount: 0,
    });
    const payment = (await settled(orderId, 2)).json;
    expect(payment).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
    expect(payment.events.map((e: { type: string }) => e.type)).toEqual([
      'PaymentConfirmed',
      'PaymentCanceled',
    ]);
    const wallets = await Promise.all(
      sellers.map((s) => api('GET', `/sellers/${s}/wallet`, { as: 'operator' })),
    );
    expect(wallets.map((w) => w.json.balance)).toEqual([0, 0]);
    const trial = await api('GET', '/ledger/trial-balance', { as: 'operator' });
    for (const seller of sellers) {
      const account = trial.json.accounts.find(
        (a: { account: string }) => a.account === sellerPayable(seller),
      );
      expect({ seller, debits: account.debits, credits: account.credits }).toEqual({
        seller,
        debits: account.credits,
        credits: account.credits,
      });
    }
  });
});
