/**
 * The contract's error answers: declines are problem+json keeping their fields, every problem names
 * the request it answered (`instance`), a request in flight says when to retry, and the
 * Idempotency-Key is taken bare or as a structured-field string.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { failedOutcome, inProgress } from '../../lambdas/application/outcomes';
import {
  jsonOutcome,
  problemOutcome,
  resultWithInstance,
  toProxyResult,
  withInstance,
} from '../../lambdas/shared/http';
import { API_GATEWAY_REQUEST, observed } from '../../lambdas/shared/observability';
import { parseIdempotencyKey } from '../../lambdas/shared/request';
import { telemetry } from '../../lambdas/shared/telemetry';
import { paymentIn } from './payment-fixtures';

const withKey = (value: string | undefined) =>
  ({ headers: value === undefined ? {} : { 'Idempotency-Key': value } }) as unknown as APIGatewayProxyEvent;

describe('Idempotency-Key', () => {
  it.each([
    ['a bare token', 'order-key-123456', 'order-key-123456'],
    ['a structured-field string (RFC 8941)', '"order-key-123456"', 'order-key-123456'],
    ['a quoted key with surrounding spaces', '  "order-key-123456" ', 'order-key-123456'],
  ])('takes %s', (_label, sent, key) => {
    expect(parseIdempotencyKey(withKey(sent))).toEqual({ ok: true, value: key });
  });

  it.each([
    ['an unterminated quote', '"order-key-123456'],
    ['a quoted key with a space inside', '"order key 123456"'],
    ['a quoted string with an escape', '"order-key\\"123456"'],
    ['too short once unquoted', '"abc"'],
  ])('refuses %s with 400 IDEMPOTENCY_KEY_INVALID', (_label, sent) => {
    const parsed = parseIdempotencyKey(withKey(sent));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(JSON.parse(parsed.outcome.body)).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
  });
});

test('an empty quoted Idempotency-Key is a missing one', () => {
  const parsed = parseIdempotencyKey(withKey('""'));
  expect(parsed.ok ? undefined : JSON.parse(parsed.outcome.body).code).toBe('IDEMPOTENCY_KEY_MISSING');
});

describe('a decline (402)', () => {
  it("is problem+json with the decline's orderId, code and message, and paymentStatus FAILURE", () => {
    const payment = paymentIn('FAILURE');
    const outcome = failedOutcome(payment);
    const { code, message } = payment.failure ?? {};
    expect(outcome.statusCode).toBe(402);
    expect(outcome.contentType).toBe('application/problem+json');
    expect(JSON.parse(outcome.body)).toEqual({
      type: 'urn:problem:payments:payment_declined',
      title: 'Payment declined',
      status: 402,
      code,
      detail: message,
      orderId: payment.orderId,
      paymentStatus: 'FAILURE',
      message,
    });
  });
});

describe('409 in flight', () => {
  it('says when to retry (Retry-After)', () => {
    const answer = toProxyResult(inProgress().outcome);
    expect(answer.statusCode).toBe(409);
    expect(answer.headers).toMatchObject({ 'Retry-After': '1' });
  });

  it('other problems carry no Retry-After', () => {
    const answer = toProxyResult(
      problemOutcome({
        status: 409,
        code: 'INVALID_STATE',
        title: 'Invalid state',
        detail: 'Not cancelable.',
      }),
    );
    expect(answer.headers).not.toHaveProperty('Retry-After');
  });
});

describe('instance', () => {
  const problem = problemOutcome({
    status: 404,
    code: 'ORDER_NOT_FOUND',
    title: 'Order not found',
    detail: 'No order.',
  });

  it('names the request on a problem, and a stored problem keeps its original request (replays byte for byte)', () => {
    const first = withInstance(problem, 'request-1');
    expect(JSON.parse(first.body)).toMatchObject({ instance: 'request-1' });
    expect(withInstance(first, 'request-2')).toEqual(first);
    expect(resultWithInstance(toProxyResult(first), 'request-2').body).toBe(first.body);
  });

  it('leaves JSON answers alone', () => {
    const ok = jsonOutcome(200, { status: 'ok' });
    expect(withInstance(ok, 'request-1')).toBe(ok);
  });

  it('every problem a handler answers names the Lambda request id', async () => {
    const handler = observed(async () => toProxyResult(problem), telemetry(), API_GATEWAY_REQUEST);
    const answer = await handler(
      { requestContext: { requestId: 'api-request' } } as unknown as APIGatewayProxyEvent,
      { functionName: 'test', awsRequestId: 'lambda-request-7' } as unknown as Context,
    );
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ORDER_NOT_FOUND', instance: 'lambda-request-7' });
  });
});
