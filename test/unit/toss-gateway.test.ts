import { confirmIdempotencyKey } from '../../lambdas/adapters/toss/toss-gateway';
import {
  BASE_URL,
  BASIC,
  html,
  json,
  POLICY,
  type Responder,
  refused,
  SECRET,
  setup,
  slow,
  timesOut,
  tossError,
} from './toss-fakes';

const CONFIRM = { paymentKey: 'tgen_20240213121757MvuS8', orderId: 'order-1', amount: 15_000 };

/** A Toss Payment object as the confirm API returns it (trimmed card details, same shape). */
function tossPayment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mId: 'tosspayments',
    lastTransactionKey: '9C62B18EEF0DE3EB7F4422EB6D14BC6E',
    paymentKey: CONFIRM.paymentKey,
    orderId: CONFIRM.orderId,
    orderName: 'Three books',
    taxExemptionAmount: 0,
    status: 'DONE',
    requestedAt: '2024-02-13T12:17:57+09:00',
    approvedAt: '2024-02-13T12:18:14+09:00',
    useEscrow: false,
    cultureExpense: false,
    card: { issuerCode: '71', acquirerCode: '71', number: '12345678****000*', installmentPlanMonths: 0 },
    virtualAccount: null,
    transfer: null,
    mobilePhone: null,
    giftCertificate: null,
    cashReceipt: null,
    cashReceipts: null,
    discount: null,
    cancels: null,
    secret: null,
    type: 'NORMAL',
    easyPay: null,
    country: 'KR',
    failure: null,
    isPartialCancelable: true,
    receipt: { url: 'https://dashboard.tosspayments.com/receipt/redirection?transactionId=x' },
    checkout: { url: 'https://api.tosspayments.com/v1/payments/x/checkout' },
    currency: 'KRW',
    totalAmount: 15_000,
    balanceAmount: 15_000,
    suppliedAmount: 13_636,
    vat: 1_364,
    taxFreeAmount: 0,
    method: '카드',
    version: '2022-11-16',
    ...overrides,
  };
}

const ok = (overrides: Record<string, unknown> = {}) => json(200, tossPayment(overrides));

const CONFIRM_KEY = confirmIdempotencyKey(CONFIRM.orderId, CONFIRM.paymentKey);

describe('TossPaymentGateway.confirm', () => {
  it('approves on 200 DONE, sending the Toss request with Basic auth and an Idempotency-Key of the order and payment session', async () => {
    const { gateway, calls, deadline } = setup([ok()]);
    const result = await gateway.confirm(CONFIRM, deadline);
    expect(result).toEqual({
      kind: 'approved',
      payment: {
        paymentKey: CONFIRM.paymentKey,
        orderId: 'order-1',
        status: 'DONE',
        totalAmount: 15_000,
        balanceAmount: 15_000,
        approvedAt: '2024-02-13T12:18:14+09:00',
        cancels: [],
      },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `${BASE_URL}/v1/payments/confirm`,
      method: 'POST',
      headers: { Authorization: BASIC, 'Idempotency-Key': CONFIRM_KEY, 'Content-Type': 'application/json' },
      body: CONFIRM,
    });
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it.each([
    [403, 'REJECT_CARD_PAYMENT'],
    [400, 'INVALID_CARD_NUMBER'],
    [400, 'EXCEED_MAX_DAILY_PAYMENT_COUNT'],
  ])('returns declined on %s %s without retrying', async (status, code) => {
    const { gateway, calls, deadline } = setup([tossError(status, code, 'declined by the issuer')]);
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind: 'declined',
      code,
      message: 'declined by the issuer',
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    [404, 'NOT_FOUND_PAYMENT_SESSION', 'sessionNotFound'],
    [401, 'UNAUTHORIZED_KEY', 'unavailable'],
  ])('returns no outcome on %s %s: %s, without retrying', async (status, code, kind) => {
    const { gateway, calls, deadline } = setup([tossError(status, code, 'not the payment itself')]);
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind,
      code,
      message: 'not the payment itself',
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['PROVIDER_ERROR', tossError(400, 'PROVIDER_ERROR')],
    ['CARD_PROCESSING_ERROR', tossError(400, 'CARD_PROCESSING_ERROR')],
    [
      'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING',
      tossError(500, 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING'),
    ],
    ['IDEMPOTENT_REQUEST_PROCESSING', tossError(409, 'IDEMPOTENT_REQUEST_PROCESSING')],
    ['a 502 with an HTML body', html(502)],
    ['a timeout', timesOut],
    ['a refused connection', refused],
  ])('retries after %s with the same Idempotency-Key, then approves', async (_, failure) => {
    const { gateway, calls, sleeps, logs, deadline } = setup([failure, ok()]);
    expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'approved' });
    expect(calls.map((call) => call.headers['Idempotency-Key'])).toEqual([CONFIRM_KEY, CONFIRM_KEY]);
    // Full jitter with random() = 0.5 over the first window [0, 100·2¹].
    expect(sleeps).toEqual([100]);
    expect(logs).toEqual([expect.objectContaining({ message: 'PSP call failed, retrying' })]);
  });

  it('returns unknown with the last error once the attempts are used up', async () => {
    const { gateway, calls, sleeps, logs, deadline } = setup(Array(4).fill(tossError(400, 'PROVIDER_ERROR')));
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind: 'unknown',
      code: 'PROVIDER_ERROR',
      message: 'recorded Toss message',
    });
    expect(calls).toHaveLength(POLICY.maxAttempts);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(logs.at(-1)).toEqual({
      message: 'PSP outcome unknown',
      attributes: { operation: 'confirm', attempts: 4, code: 'PROVIDER_ERROR', reason: 'MAX_ATTEMPTS' },
    });
  });

  it('maps repeated timeouts to unknown, shrinking the last attempt to what is left of the budget', async () => {
    const { gateway, calls, deadline } = setup(Array(4).fill(timesOut), { requestTimeoutMs: 5_000 });
    const result = await gateway.confirm(CONFIRM, deadline);
    expect(calls).toHaveLength(4);
    // 5000 + 100 + 5000 + 200 + 5000 + 400 ms spent: the last attempt gets the 4300 ms left of the 20 s budget.
    expect(result).toEqual({ kind: 'unknown', code: 'TIMEOUT', message: 'no answer within 4300 ms' });
  });

  it('aborts a hung request through AbortSignal.timeout', async () => {
    const hang: Responder = (call) =>
      new Promise((_, reject) => call.signal?.addEventListener('abort', () => reject(call.signal?.reason)));
    const { gateway, deadline } = setup([hang], {
      requestTimeoutMs: 20,
      retryPolicy: { ...POLICY, maxAttempts: 1, minAttemptMs: 10 },
      now: Date.now,
    });
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind: 'unknown',
      code: 'TIMEOUT',
      message: 'no answer within 20 ms',
    });
  });

  it('reports a network failure by its low-level code', async () => {
    const { gateway, deadline } = setup(Array(4).fill(refused));
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind: 'unknown',
      code: 'NETWORK_ERROR',
      message: 'TypeError (ECONNREFUSED)',
    });
  });

  it('names a 5xx without a Toss body by its status', async () => {
    const { gateway, deadline } = setup(Array(4).fill(html(503)));
    expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown', code: 'HTTP_503' });
  });

  describe('the Idempotency-Key', () => {
    it('is one per payment session: a new paymentKey for the same order gets another key', () => {
      const other = confirmIdempotencyKey(CONFIRM.orderId, 'tgen_another_session');
      expect(other).not.toBe(CONFIRM_KEY);
      expect(confirmIdempotencyKey(CONFIRM.orderId, CONFIRM.paymentKey)).toBe(CONFIRM_KEY);
    });

    it('stays within Toss’s 300 characters for the longest orderId and paymentKey we accept', () => {
      expect(confirmIdempotencyKey('o'.repeat(64), 'p'.repeat(200)).length).toBeLessThanOrEqual(300);
    });
  });

  describe('on an answer that is not a documented decline', () => {
    it.each([
      ['an HTML 403 from a proxy', html(403)],
      ['INVALID_REQUEST', tossError(400, 'INVALID_REQUEST')],
      ['NOT_FOUND_PAYMENT', tossError(404, 'NOT_FOUND_PAYMENT')],
      ['an unknown code', tossError(400, 'SOMETHING_NEW')],
    ])('%s: looks the order up and approves what the PSP approved', async (_, answer) => {
      const { gateway, calls, deadline } = setup([answer, ok()]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'approved' });
      expect(calls[1]).toMatchObject({ url: `${BASE_URL}/v1/payments/orders/order-1`, method: 'GET' });
    });

    it.each([
      ['the session still READY', ok({ status: 'READY', approvedAt: null })],
      ['no payment at all', tossError(404, 'NOT_FOUND_PAYMENT')],
    ])('answers unavailable (nothing happened) when the PSP shows %s', async (_, lookup) => {
      const { gateway, deadline } = setup([html(403), lookup]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'unavailable',
        code: 'HTTP_403',
      });
    });

    it('answers unknown when the look-up cannot decide', async () => {
      const { gateway, deadline } = setup([tossError(400, 'SOMETHING_NEW'), ...Array(4).fill(html(503))]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown' });
    });

    it('never declines', async () => {
      const { gateway, deadline } = setup([tossError(403, 'SOMETHING_NEW'), ok({ status: 'ABORTED' })]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown' });
    });
  });

  describe('on ALREADY_PROCESSED_PAYMENT', () => {
    const alreadyProcessed = tossError(400, 'ALREADY_PROCESSED_PAYMENT', '이미 처리된 결제 입니다.');

    it('looks the order up and approves a DONE payment of the same amount', async () => {
      const { gateway, calls, deadline } = setup([alreadyProcessed, ok()]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'approved',
        payment: { status: 'DONE', totalAmount: 15_000 },
      });
      expect(calls[1]).toMatchObject({ url: `${BASE_URL}/v1/payments/orders/order-1`, method: 'GET' });
      expect(calls[1]?.headers).toEqual({ Authorization: BASIC });
    });

    it.each([
      ['another amount', ok({ totalAmount: 14_000 })],
      ['a payment not DONE', ok({ status: 'CANCELED' })],
      ['another paymentKey', ok({ paymentKey: 'tgen_other' })],
    ])('returns unknown for %s', async (_, lookup) => {
      const { gateway, deadline } = setup([alreadyProcessed, lookup]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'unknown',
        code: 'PSP_PAYMENT_MISMATCH',
      });
    });

    it('returns unknown when the PSP has no such payment after all', async () => {
      const { gateway, deadline } = setup([alreadyProcessed, tossError(404, 'NOT_FOUND_PAYMENT')]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'unknown',
        code: 'ALREADY_PROCESSED_PAYMENT',
      });
    });
  });

  it.each([
    ['a 200 for a payment that is not DONE', ok({ status: 'WAITING_FOR_DEPOSIT' }), 'PSP_PAYMENT_MISMATCH'],
    ['a 200 for another amount', ok({ totalAmount: 1 }), 'PSP_PAYMENT_MISMATCH'],
    ['a 200 whose body is not a payment', json(200, { hello: 'world' }), 'INVALID_PSP_RESPONSE'],
  ])('never approves %s', async (_, responder, code) => {
    const { gateway, deadline } = setup([responder]);
    expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown', code });
  });

  describe('time budget', () => {
    it('does not call the PSP when the deadline leaves no room for an attempt', async () => {
      const { gateway, calls, logs, deadline } = setup([ok()], {
        remainingMs: 2_000 + POLICY.minAttemptMs - 1,
      });
      expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
        kind: 'unknown',
        code: 'DEADLINE_TOO_CLOSE',
        message: 'not enough time left to call the PSP',
      });
      expect(calls).toHaveLength(0);
      expect(logs).toEqual([
        {
          message: 'PSP outcome unknown',
          attributes: {
            operation: 'confirm',
            attempts: 0,
            code: 'DEADLINE_TOO_CLOSE',
            reason: 'BUDGET_EXHAUSTED',
          },
        },
      ]);
    });

    it('does not retry when the deadline is near, and gives the attempt only the time left', async () => {
      const { gateway, calls, deadline } = setup([timesOut, ok()], { remainingMs: 4_000 });
      const result = await gateway.confirm(CONFIRM, deadline);
      // 4000 ms left minus the 2000 ms safety margin.
      expect(result).toEqual({ kind: 'unknown', code: 'TIMEOUT', message: 'no answer within 2000 ms' });
      expect(calls).toHaveLength(1);
    });

    it('does not retry once a slow attempt has used up the configured budget', async () => {
      const { gateway, calls, sleeps, deadline } = setup(
        [slow(1_700, tossError(400, 'PROVIDER_ERROR')), ok()],
        {
          retryBudgetMs: 2_000,
        },
      );
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'unknown',
        code: 'PROVIDER_ERROR',
      });
      expect(calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });
  });

  describe('the secret key', () => {
    it('never appears in results or logs, even when fetch quotes the header in its error', async () => {
      const quotesHeader: Responder = (call) => {
        throw new TypeError(
          `Headers.append: "${call.headers.Authorization}" is an invalid header value. ${SECRET}`,
        );
      };
      const { gateway, logs, deadline } = setup(Array(4).fill(quotesHeader));
      const result = await gateway.confirm(CONFIRM, deadline);
      expect(result).toMatchObject({ kind: 'unknown', code: 'NETWORK_ERROR' });
      const everything = JSON.stringify([result, logs]);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(BASIC.slice('Basic '.length));
    });

    it('returns unavailable without calling the PSP when the key cannot be loaded', async () => {
      const { gateway, calls, logs, deadline } = setup([ok()], {
        secretKey: async () => {
          throw new Error('AccessDeniedException');
        },
      });
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({
        kind: 'unavailable',
        code: 'PSP_NOT_CONFIGURED',
      });
      expect(calls).toHaveLength(0);
      expect(logs).toEqual([
        { message: 'PSP secret key unavailable', attributes: { operation: 'confirm', error: 'Error' } },
      ]);
    });
  });
});

describe('TossPaymentGateway.cancel', () => {
  const CANCEL = {
    paymentKey: CONFIRM.paymentKey,
    cancelReason: '고객 변심',
    cancelAmount: 5_000,
    refundableAmount: 15_000,
    idempotencyKey: 'cancel-key-1',
  };
  const canceled = ok({
    status: 'PARTIAL_CANCELED',
    balanceAmount: 10_000,
    cancels: [
      {
        transactionKey: 'a2f8b1c3',
        cancelReason: '고객 변심',
        taxExemptionAmount: 0,
        canceledAt: '2024-02-13T12:20:23+09:00',
        cancelAmount: 5_000,
        cancelStatus: 'DONE',
      },
    ],
  });

  it('posts to the payment’s cancel URL with the given Idempotency-Key and returns the updated payment', async () => {
    const { gateway, calls, deadline } = setup([canceled]);
    expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({
      kind: 'approved',
      payment: {
        status: 'PARTIAL_CANCELED',
        balanceAmount: 10_000,
        cancels: [
          { transactionKey: 'a2f8b1c3', cancelAmount: 5_000, canceledAt: '2024-02-13T12:20:23+09:00' },
        ],
      },
    });
    expect(calls[0]).toMatchObject({
      url: `${BASE_URL}/v1/payments/${CONFIRM.paymentKey}/cancel`,
      method: 'POST',
      headers: { Authorization: BASIC, 'Idempotency-Key': 'cancel-key-1' },
      body: { cancelReason: '고객 변심', cancelAmount: 5_000, refundableAmount: 15_000 },
    });
  });

  it('sends refundableAmount, so Toss refuses when its balance is not ours', async () => {
    const { gateway, calls, deadline } = setup([canceled]);
    await gateway.cancel(CANCEL, deadline);
    expect(calls[0]?.body).toEqual({
      cancelReason: '고객 변심',
      cancelAmount: 5_000,
      refundableAmount: 15_000,
    });
  });

  it.each(['NOT_CANCELABLE_AMOUNT', 'NOT_CANCELABLE_PAYMENT'])(
    'returns refused (look the payment up) for %s: the PSP’s payment is not what we hold',
    async (code) => {
      const { gateway, deadline } = setup([tossError(403, code)]);
      expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({ kind: 'refused', code });
    },
  );

  it('returns refused for ALREADY_CANCELED_PAYMENT', async () => {
    const { gateway, deadline } = setup([tossError(400, 'ALREADY_CANCELED_PAYMENT')]);
    expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({ kind: 'refused' });
  });

  it('returns declined for a documented refusal of the refund itself', async () => {
    const { gateway, deadline } = setup([tossError(403, 'EXCEED_MAX_REFUND_DUE')]);
    expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({ kind: 'declined' });
  });

  it.each([
    ['an unknown code', tossError(400, 'SOMETHING_NEW')],
    ['a proxy’s HTML 404', html(404)],
    ['INVALID_REQUEST', tossError(400, 'INVALID_REQUEST')],
  ])('returns unknown for %s: the cancel may have been made', async (_, answer) => {
    const { gateway, deadline } = setup([answer]);
    expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({ kind: 'unknown' });
  });

  it('records only the cancels Toss reports DONE', async () => {
    const { gateway, deadline } = setup([
      ok({
        status: 'PARTIAL_CANCELED',
        balanceAmount: 10_000,
        cancels: [
          {
            transactionKey: 'done',
            cancelAmount: 5_000,
            canceledAt: '2024-02-13T12:20:23+09:00',
            cancelStatus: 'DONE',
          },
          {
            transactionKey: 'aborted',
            cancelAmount: 1_000,
            canceledAt: '2024-02-13T12:21:23+09:00',
            cancelStatus: 'ABORTED',
          },
        ],
      }),
    ]);
    const result = await gateway.cancel(CANCEL, deadline);
    expect(result).toMatchObject({ kind: 'approved', payment: { cancels: [{ transactionKey: 'done' }] } });
    expect(result.kind === 'approved' && result.payment.cancels).toHaveLength(1);
  });

  it('retries a retryable error with the same key', async () => {
    const { gateway, calls, deadline } = setup([
      tossError(500, 'FAILED_INTERNAL_SYSTEM_PROCESSING'),
      canceled,
    ]);
    expect(await gateway.cancel(CANCEL, deadline)).toMatchObject({ kind: 'approved' });
    expect(calls.map((call) => call.headers['Idempotency-Key'])).toEqual(['cancel-key-1', 'cancel-key-1']);
  });
});

describe('TossPaymentGateway.findByOrderId', () => {
  it('finds the payment, URL-encoding the orderId and sending no Idempotency-Key', async () => {
    const { gateway, calls, deadline } = setup([ok({ orderId: 'order/1' })]);
    expect(await gateway.findByOrderId('order/1', deadline)).toMatchObject({
      kind: 'found',
      payment: { orderId: 'order/1', status: 'DONE' },
    });
    expect(calls[0]).toMatchObject({
      url: `${BASE_URL}/v1/payments/orders/order%2F1`,
      method: 'GET',
      body: undefined,
    });
    expect(calls[0]?.headers['Idempotency-Key']).toBeUndefined();
  });

  it('reports notFound only for Toss’s NOT_FOUND_PAYMENT', async () => {
    const { gateway, deadline } = setup([
      tossError(404, 'NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.'),
    ]);
    expect(await gateway.findByOrderId('order-1', deadline)).toEqual({ kind: 'notFound' });
  });

  it.each([
    ['a 404 that is not Toss’s', html(404), 'HTTP_404'],
    ['an auth failure', tossError(401, 'UNAUTHORIZED_KEY'), 'UNAUTHORIZED_KEY'],
  ])('returns unknown for %s: absence is never assumed', async (_, responder, code) => {
    const { gateway, deadline } = setup([responder]);
    expect(await gateway.findByOrderId('order-1', deadline)).toMatchObject({ kind: 'unknown', code });
  });

  it('retries a 5xx', async () => {
    const { gateway, calls, deadline } = setup([html(502), ok()]);
    expect(await gateway.findByOrderId('order-1', deadline)).toMatchObject({ kind: 'found' });
    expect(calls).toHaveLength(2);
  });
});
