import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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

describe("GET /health in AWS: the secret's metadata, never its value", () => {
  const saved = process.env.PSP_SECRET_ARN;
  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env.PSP_SECRET_ARN;
    else process.env.PSP_SECRET_ARN = saved;
  });

  /** Answers DescribeSecret with `stages`; records every command the function sends. */
  const secretsManager = (stages: Record<string, string[]>) => {
    const sent: string[] = [];
    jest.spyOn(SecretsManagerClient.prototype, 'send').mockImplementation(async (command: object) => {
      sent.push(command.constructor.name);
      return { VersionIdsToStages: stages } as never;
    });
    return sent;
  };

  it.each([
    ['created empty (no version)', {}, { status: 'degraded', psp: 'not-configured' }],
    ['set (a version labelled AWSCURRENT)', { v1: ['AWSCURRENT'] }, { status: 'ok' }],
    [
      'only a staged version (AWSPENDING)',
      { v2: ['AWSPENDING'] },
      { status: 'degraded', psp: 'not-configured' },
    ],
  ])('%s', async (label, stages, body) => {
    process.env.PSP_SECRET_ARN = `arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:psp-${label.length}`;
    const sent = secretsManager(stages);
    const answer = await invoke();
    expect(JSON.parse(answer.body)).toEqual(body);
    expect(sent).toEqual(['DescribeSecretCommand']);
  });
});
