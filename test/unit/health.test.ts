import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler } from '../../lambdas/handlers/health';

const invoke = () =>
  handler(
    { requestContext: { requestId: 'health-test' } } as unknown as APIGatewayProxyEvent,
    {
      functionName: 'health',
      awsRequestId: 'health-test',
    } as unknown as Context,
  );

describe('GET /health', () => {
  const saved = { key: process.env.PSP_SECRET_KEY, arn: process.env.PSP_SECRET_ARN };
  afterEach(() => {
    process.env.PSP_SECRET_KEY = saved.key;
    if (saved.key === undefined) delete process.env.PSP_SECRET_KEY;
  });
  beforeAll(() => {
    delete process.env.PSP_SECRET_ARN;
  });
  afterAll(() => {
    if (saved.arn !== undefined) process.env.PSP_SECRET_ARN = saved.arn;
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])(
    'says degraded, psp not-configured, while the PSP secret is %s (200, no secret in the body)',
    async (_, key) => {
      if (key === undefined) delete process.env.PSP_SECRET_KEY;
      else process.env.PSP_SECRET_KEY = key;
      const answer = await invoke();
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ status: 'degraded', psp: 'not-configured' });
    },
  );

  it('says ok once the key is set, and never shows it', async () => {
    process.env.PSP_SECRET_KEY = 'test_sk_health_secret';
    const answer = await invoke();
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok' });
    expect(answer.body).not.toContain('test_sk_health_secret');
  });
});
