import { DEFAULT_SETTLEMENT_TIMEOUT_MS, TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';
import { MIN_SETTLEMENT_TIMEOUT_MS, type SettlementQuery } from '../../lambdas/ports/psp';
import { pspCallLimits } from '../../lambdas/shared/psp';
import { BASE_URL, BASIC, html, json, SECRET, setup, timesOut, tossError } from './toss-fakes';

const QUERY: SettlementQuery = {
  startDate: '2024-03-01',
  endDate: '2024-03-01',
  dateType: 'soldDate',
  page: 2,
  size: 5000,
};

/** A Toss Settlement row as GET /v1/settlements returns it (trimmed card details, same shape). */
function settlementRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mId: 'tosspayments',
    paymentKey: 'tgen_20240301101010abcd',
    transactionKey: 'B6E7A1C2D3E4F5A6B7C8D9E0F1A2B3C4',
    orderId: 'order-1',
    currency: 'KRW',
    method: '카드',
    amount: 15_000,
    interestFee: 0,
    approvedAt: '2024-03-01T10:10:10+09:00',
    soldDate: '2024-03-01',
    paidOutDate: '2024-03-03',
    card: { issuerCode: '71', acquirerCode: '71', number: '12345678****000*', cardType: '신용' },
    easyPay: null,
    cancel: null,
    fees: [{ type: 'BASE', fee: 480 }],
    fee: 480,
    supplyAmount: 437,
    vat: 43,
    payOutAmount: 14_520,
    ...overrides,
  };
}

describe('TossPaymentGateway.settlements', () => {
  it('GETs one page with the dates and paging in the query, Basic auth and no Idempotency-Key', async () => {
    const { gateway, calls, deadline } = setup([
      json(200, [
        settlementRow(),
        settlementRow({
          amount: -5_000,
          transactionKey: 'CANCEL1',
          fees: [{ type: 'BASE', fee: -160 }],
          fee: -160,
          payOutAmount: -4_840,
          cancel: { transactionKey: 'CANCEL1', cancelAmount: 5_000, cancelStatus: 'DONE' },
        }),
      ]),
    ]);
    expect(await gateway.settlements(QUERY, deadline)).toEqual({
      kind: 'page',
      rows: [
        {
          orderId: 'order-1',
          paymentKey: 'tgen_20240301101010abcd',
          transactionKey: 'B6E7A1C2D3E4F5A6B7C8D9E0F1A2B3C4',
          amount: 15_000,
          fee: 480,
          payOutAmount: 14_520,
          approvedAt: '2024-03-01T10:10:10+09:00',
        },
        expect.objectContaining({
          transactionKey: 'CANCEL1',
          amount: -5_000,
          fee: -160,
          payOutAmount: -4_840,
        }),
      ],
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `${BASE_URL}/v1/settlements?startDate=2024-03-01&endDate=2024-03-01&dateType=soldDate&page=2&size=5000`,
      method: 'GET',
      headers: { Authorization: BASIC },
      body: undefined,
    });
    expect(calls[0]?.headers['Idempotency-Key']).toBeUndefined();
  });

  it('accepts an empty page and a row whose approvedAt is null', async () => {
    const empty = setup([json(200, [])]);
    expect(await empty.gateway.settlements(QUERY, empty.deadline)).toEqual({ kind: 'page', rows: [] });
    const nullApproval = setup([json(200, [settlementRow({ approvedAt: null })])]);
    const page = await nullApproval.gateway.settlements(QUERY, nullApproval.deadline);
    expect(page.kind === 'page' && page.rows[0]).not.toHaveProperty('approvedAt');
  });

  it.each([1, 5000])('allows page size %i', async (size) => {
    const { gateway, deadline } = setup([json(200, [])]);
    expect(await gateway.settlements({ ...QUERY, size }, deadline)).toMatchObject({ kind: 'page' });
  });

  it.each([0, 5001, 2.5])('refuses page size %p before calling the PSP', async (size) => {
    const { gateway, calls, deadline } = setup([]);
    await expect(gateway.settlements({ ...QUERY, size }, deadline)).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });

  it('retries 5xx answers and timeouts with the same machinery as payments', async () => {
    const { gateway, calls, sleeps, deadline } = setup([html(502), timesOut, json(200, [settlementRow()])]);
    expect(await gateway.settlements(QUERY, deadline)).toMatchObject({
      kind: 'page',
      rows: [{ amount: 15_000 }],
    });
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('gives up as unknown when the retries are spent', async () => {
    const { gateway, calls, deadline } = setup([html(503), html(503), html(503), html(503)]);
    expect(await gateway.settlements(QUERY, deadline)).toMatchObject({ kind: 'unknown', code: 'HTTP_503' });
    expect(calls).toHaveLength(4);
  });

  it('does not call when the deadline leaves no room for an answer', async () => {
    const { gateway, calls, deadline } = setup([], { remainingMs: 2_400 });
    expect(await gateway.settlements(QUERY, deadline)).toMatchObject({
      kind: 'unknown',
      code: 'DEADLINE_TOO_CLOSE',
    });
    expect(calls).toHaveLength(0);
  });

  it('returns a Toss refusal as declined, without retrying', async () => {
    const { gateway, calls, deadline } = setup([tossError(400, 'INVALID_REQUEST', 'startDate is invalid')]);
    expect(await gateway.settlements(QUERY, deadline)).toEqual({
      kind: 'declined',
      code: 'INVALID_REQUEST',
      message: 'startDate is invalid',
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['an object instead of a list', { rows: [] }],
    ['a row without orderId', [settlementRow({ orderId: undefined })]],
    ['a fractional amount', [settlementRow({ amount: 10.5 })]],
  ])('answers unknown INVALID_PSP_RESPONSE for %s', async (_, body) => {
    const { gateway, deadline } = setup([json(200, body)]);
    expect(await gateway.settlements(QUERY, deadline)).toMatchObject({
      kind: 'unknown',
      code: 'INVALID_PSP_RESPONSE',
    });
  });

  it('takes the fee from `fees` (numbers or numeric strings) when an answer has no `fee`', async () => {
    const { gateway, deadline } = setup([
      json(200, [
        settlementRow({
          amount: 34_000,
          fee: undefined,
          fees: [
            { type: 'BASE', fee: '800' },
            { type: 'INSTALLMENT', fee: '60' },
          ],
          payOutAmount: 33_140,
        }),
      ]),
    ]);
    expect(await gateway.settlements(QUERY, deadline)).toMatchObject({
      kind: 'page',
      rows: [{ amount: 34_000, fee: 860, payOutAmount: 33_140 }],
    });
  });
});

describe('PSP call limits (configuration)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const gatewayWith = (env: Record<string, string>) => {
    Object.assign(process.env, env);
    return new TossPaymentGateway({ baseUrl: BASE_URL, secretKey: async () => SECRET, ...pspCallLimits() });
  };

  it("gives the settlement pages their own timeout of at least 60 s, apart from confirm's", () => {
    const gateway = gatewayWith({ PSP_REQUEST_TIMEOUT_MS: '2000', PSP_RETRY_BUDGET_MS: '5000' });
    expect(gateway.limits.payment).toEqual({ requestTimeoutMs: 2_000, retryBudgetMs: 5_000 });
    expect(gateway.limits.settlement.requestTimeoutMs).toBe(DEFAULT_SETTLEMENT_TIMEOUT_MS);
    expect(gateway.limits.settlement.requestTimeoutMs).toBeGreaterThanOrEqual(MIN_SETTLEMENT_TIMEOUT_MS);
    expect(MIN_SETTLEMENT_TIMEOUT_MS).toBe(60_000);
    expect(gateway.limits.settlement.retryBudgetMs).toBeGreaterThanOrEqual(
      gateway.limits.settlement.requestTimeoutMs,
    );
  });

  it('takes PSP_SETTLEMENT_TIMEOUT_MS, and refuses one under 60 s', () => {
    expect(gatewayWith({ PSP_SETTLEMENT_TIMEOUT_MS: '120000' }).limits.settlement.requestTimeoutMs).toBe(
      120_000,
    );
    expect(() => gatewayWith({ PSP_SETTLEMENT_TIMEOUT_MS: '30000' })).toThrow(/at least 60000 ms/);
  });
});
