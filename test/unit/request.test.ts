/**
 * Request parsing (lambdas/shared/request.ts) with the contract's schemas: what a client reads in a
 * 400's detail, and that nothing but a valid body gets through.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_BODY_BYTES, parseJsonBody, parsePathParameter } from '../../lambdas/shared/request';
import { cancelSchema, checkoutSchema, orderIdSchema } from '../../lambdas/shared/schemas';

const withBody = (body: string, pathParameters: Record<string, string> = {}) =>
  ({ body, isBase64Encoded: false, headers: {}, pathParameters }) as unknown as APIGatewayProxyEvent;

const problem = (parsed: ReturnType<typeof parseJsonBody>) => {
  if (parsed.ok) throw new Error('expected a refusal');
  return { status: parsed.outcome.statusCode, ...JSON.parse(parsed.outcome.body) };
};

test('a valid checkout passes, trimmed', () => {
  const parsed = parseJsonBody(
    withBody(
      JSON.stringify({
        buyerId: 'buyer-1',
        orderName: '  Tea  ',
        currency: 'KRW',
        items: [{ sellerId: 'seller-1', productId: 'p-1', amount: 1000 }],
      }),
    ),
    checkoutSchema,
  );
  expect(parsed).toEqual({ ok: true, value: expect.objectContaining({ orderName: 'Tea' }) });
});

test('a missing field is "required" and an unknown one "unknown field"', () => {
  expect(problem(parseJsonBody(withBody('{"cancelAmount":100,"reason":"x"}'), cancelSchema))).toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    detail: 'cancelReason: required; reason: unknown field',
  });
});

test.each([
  ['a zero amount', { cancelReason: 'x', cancelAmount: 0 }, /cancelAmount: .*>=1/],
  ['a fractional amount', { cancelReason: 'x', cancelAmount: 1.5 }, /cancelAmount: /],
  ['a blank reason', { cancelReason: '   ' }, /cancelReason: .*length/],
  ['a string body', 'cancel', /\(body\): /],
])('%s is refused with where and why', (_label, body, detail) => {
  expect(problem(parseJsonBody(withBody(JSON.stringify(body)), cancelSchema))).toMatchObject({
    status: 400,
    detail: expect.stringMatching(detail),
  });
});

test('malformed JSON and an oversized body are refused before validation', () => {
  expect(problem(parseJsonBody(withBody('{'), cancelSchema))).toMatchObject({ code: 'MALFORMED_JSON' });
  expect(problem(parseJsonBody(withBody(`"${'x'.repeat(MAX_BODY_BYTES)}"`), cancelSchema))).toMatchObject({
    status: 413,
  });
});

test('a path parameter that could never be an order id is a 400 naming it', () => {
  expect(parsePathParameter(withBody('', { orderId: 'abc' }), 'orderId', orderIdSchema)).toMatchObject({
    ok: false,
    outcome: { statusCode: 400 },
  });
  expect(parsePathParameter(withBody('', { orderId: 'order_123456' }), 'orderId', orderIdSchema)).toEqual({
    ok: true,
    value: 'order_123456',
  });
});
