import { resolveDeployProfile } from '../../lib/deploy-profile';

/** Context as `-c` gives it; prod needs an alarm subscriber or `alarmEmail=none`, so tests say none unless told. */
const from = (context: Record<string, unknown>) => (key: string) => ({ alarmEmail: 'none', ...context })[key];

describe('resolveDeployProfile', () => {
  it('defaults to prod: WAF on, reserved concurrency and tracing opt-in, https PSP, data retained', () => {
    expect(resolveDeployProfile(from({}))).toEqual({
      profile: 'prod',
      stackPrefix: 'Payments',
      waf: true,
      reservedConcurrency: false,
      pspBaseUrl: 'https://api.tosspayments.com',
      removalPolicy: 'retain',
      cloudWatchRole: true,
      logRetentionDays: 365,
      regulated: false,
      alarmEmail: undefined,
      tracing: false,
      queueShards: 4,
    });
  });

  it('takes queueShards from context, then QUEUE_SHARDS, then the profile', () => {
    expect(resolveDeployProfile(from({ queueShards: '8' }), { QUEUE_SHARDS: '3' }).queueShards).toBe(8);
    expect(resolveDeployProfile(from({ queueShards: 6 })).queueShards).toBe(6);
    expect(resolveDeployProfile(from({}), { QUEUE_SHARDS: '3' }).queueShards).toBe(3);
    expect(resolveDeployProfile(from({ profile: 'dev' })).queueShards).toBe(2);
  });

  it('refuses prod without an alarm subscriber unless alarmEmail=none says so on purpose', () => {
    expect(() => resolveDeployProfile(from({ alarmEmail: undefined }))).toThrow(/alarmEmail=none/);
    expect(resolveDeployProfile(from({ alarmEmail: 'none' })).alarmEmail).toBeUndefined();
    expect(resolveDeployProfile(from({ alarmEmail: 'oncall@example.com' })).alarmEmail).toBe(
      'oncall@example.com',
    );
    expect(resolveDeployProfile(from({ profile: 'dev', alarmEmail: undefined })).alarmEmail).toBeUndefined();
  });

  it('keeps logs a year in prod, a month in copies; regulated deploys keep them a year or more', () => {
    expect(resolveDeployProfile(from({})).logRetentionDays).toBe(365);
    expect(resolveDeployProfile(from({ profile: 'dev' })).logRetentionDays).toBe(30);
    expect(resolveDeployProfile(from({ logRetentionDays: '731' })).logRetentionDays).toBe(731);
    expect(resolveDeployProfile(from({ logRetentionDays: 3653 })).logRetentionDays).toBe(3653);
    expect(() => resolveDeployProfile(from({ logRetentionDays: '42' }))).toThrow(
      /logRetentionDays must be one of/,
    );
    expect(() => resolveDeployProfile(from({ profile: 'dev', regulated: 'true' }))).toThrow(/a year or more/);
    expect(resolveDeployProfile(from({ regulated: 'true' })).regulated).toBe(true);
  });

  it('leaves the account-wide API Gateway logging role to prod unless a copy is told to own it', () => {
    expect(resolveDeployProfile(from({ profile: 'dev' })).cloudWatchRole).toBe(false);
    expect(resolveDeployProfile(from({ profile: 'localstack' })).cloudWatchRole).toBe(false);
    expect(resolveDeployProfile(from({ profile: 'dev', cloudWatchRole: 'true' })).cloudWatchRole).toBe(true);
    expect(() => resolveDeployProfile(from({ cloudWatchRole: 'maybe' }))).toThrow(/cloudWatchRole/);
  });

  it('takes explicit keys over the profile, from -c strings or cdk.json booleans', () => {
    expect(
      resolveDeployProfile(
        from({
          profile: 'dev',
          waf: 'true',
          reservedConcurrency: true,
          removalPolicy: 'retain',
          alarmEmail: 'ops@example.com',
          tracing: 'true',
        }),
      ),
    ).toMatchObject({
      profile: 'dev',
      waf: true,
      reservedConcurrency: true,
      removalPolicy: 'retain',
      alarmEmail: 'ops@example.com',
      tracing: true,
    });
  });

  it('takes operatorPrincipals as IAM user or role ARNs and refuses anything else', () => {
    const arns = 'arn:aws:iam::123456789012:role/payments-ops, arn:aws:iam::123456789012:user/alice';
    expect(resolveDeployProfile(from({ operatorPrincipals: arns })).operatorPrincipals).toBe(arns);
    expect(resolveDeployProfile(from({}), { OPERATOR_PRINCIPALS: arns }).operatorPrincipals).toBe(arns);
    for (const bad of ['*', 'arn:aws:iam::123456789012:root', 'ops-role', 'arn:aws:iam::1:role/x'])
      expect(() => resolveDeployProfile(from({ operatorPrincipals: bad }))).toThrow(/operatorPrincipals/);
  });

  it('lets LocalStack reach the simulator over http, and nothing else', () => {
    expect(resolveDeployProfile(from({ profile: 'localstack' })).pspBaseUrl).toBe(
      'http://host.docker.internal:4010',
    );
    expect(() => resolveDeployProfile(from({ profile: 'dev', pspBaseUrl: 'http://localhost:4010' }))).toThrow(
      /https/,
    );
    expect(() => resolveDeployProfile(from({}), { PSP_BASE_URL: 'http://psp' })).toThrow(/https/);
  });

  it.each([
    [{ profile: 'staging' }, /unknown profile/],
    [{ profile: 'localstack', waf: 'true' }, /WAFv2/],
    [{ profile: 'localstack', reservedConcurrency: 'true' }, /reservedConcurrency/],
    [{ waf: 'yes' }, /waf must be true or false/],
    [{ tracing: 'on' }, /tracing must be true or false/],
    [{ removalPolicy: 'snapshot' }, /removalPolicy/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ pspBaseUrl: 'api.tosspayments.com' }, /not a URL/],
    [{ queueShards: '0' }, /queueShards/],
    [{ queueShards: '2.5' }, /queueShards/],
    [{ queueShards: '33' }, /queueShards/],
    [{ queueShards: 'many' }, /queueShards/],
  ])('refuses %j', (context, message) => {
    expect(() => resolveDeployProfile(from(context))).toThrow(message);
  });
});
