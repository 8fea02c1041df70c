import { topology } from '../../lib/topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';

const count = (synth: SynthesizedPaymentsApp, type: string) =>
  [synth.statefulTemplate, synth.statelessTemplate].reduce(
    (total, template) => total + Object.keys(template.findResources(type)).length,
    0,
  );

const reservations = (synth: SynthesizedPaymentsApp) =>
  Object.values(synth.statelessTemplate.findResources('AWS::Lambda::Function'))
    .map((fn) => (fn as { Properties: { ReservedConcurrentExecutions?: number } }).Properties)
    .filter((properties) => properties.ReservedConcurrentExecutions !== undefined).length;

const deletionPolicies = (synth: SynthesizedPaymentsApp, type: string) => [
  ...new Set(
    Object.values(synth.statefulTemplate.findResources(type)).map(
      (r) => (r as { DeletionPolicy?: string }).DeletionPolicy,
    ),
  ),
];

describe('deploy profiles synthesize offline', () => {
  const synths = new Map<string, SynthesizedPaymentsApp>();
  const synthOf = (name: string, context: Record<string, string>) => {
    if (!synths.has(name)) synths.set(name, synthPaymentsApp(topology, context));
    return synths.get(name) as SynthesizedPaymentsApp;
  };
  const prod = () => synthOf('prod', { profile: 'prod' });
  const dev = () => synthOf('dev', { profile: 'dev' });
  const localstack = () =>
    synthOf('localstack', { profile: 'localstack', pspBaseUrl: 'http://host.docker.internal:4010' });

  test('prod: WAF in front of the stage, data retained and termination-protected, no reserved concurrency unless opted in', () => {
    expect(count(prod(), 'AWS::WAFv2::WebACL')).toBe(1);
    expect(reservations(prod())).toBe(0);
    expect(deletionPolicies(prod(), 'AWS::DynamoDB::Table')).toEqual(['Retain']);
    expect(prod().stateful.terminationProtection).toBe(true);
    expect(
      reservations(synthOf('prod+reserved', { profile: 'prod', reservedConcurrency: 'true' })),
    ).toBeGreaterThan(0);
  });

  test('tracing is opt-in: without it no function, stage or role touches X-Ray; with it all are traced', () => {
    const untraced = prod().statelessTemplate;
    const traced = synthOf('prod+tracing', { profile: 'prod', tracing: 'true' }).statelessTemplate;
    const functions = (template: typeof untraced) =>
      Object.values(template.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn as { Properties: { TracingConfig?: { Mode: string } } }).Properties.TracingConfig,
      );
    const stage = (template: typeof untraced) =>
      (Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: object })
        .Properties;
    expect(functions(untraced).every((config) => config === undefined)).toBe(true);
    expect(stage(untraced)).toMatchObject({ TracingEnabled: false });
    expect(JSON.stringify(untraced.toJSON())).not.toContain('xray:');
    expect(functions(traced).every((config) => config?.Mode === 'Active')).toBe(true);
    expect(stage(traced)).toMatchObject({ TracingEnabled: true });
    expect(JSON.stringify(traced.toJSON())).toContain('xray:PutTraceSegments');
  });

  test('localstack: no WAFv2, no reserved concurrency, an http PSP URL, nothing retained', () => {
    const synth = localstack();
    expect(count(synth, 'AWS::WAFv2::WebACL') + count(synth, 'AWS::WAFv2::WebACLAssociation')).toBe(0);
    expect(reservations(synth)).toBe(0);
    synth.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { PSP_BASE_URL: 'http://host.docker.internal:4010' } },
    });
    expect(deletionPolicies(synth, 'AWS::DynamoDB::Table')).toEqual(['Delete']);
    expect(synth.stateful.terminationProtection).toBe(false);
  });

  test('localstack keeps EventBridge rules (its Scheduler never fires), each target with a DLQ and bounded retries', () => {
    const synth = localstack();
    expect(count(synth, 'AWS::Scheduler::Schedule')).toBe(0);
    const rules = Object.values(synth.statelessTemplate.findResources('AWS::Events::Rule'));
    const scheduled = Object.values(topology.functions).flatMap((spec) =>
      spec.triggers.filter((trigger) => trigger.kind === 'schedule'),
    );
    expect(rules.map((rule) => rule.Properties.ScheduleExpression).sort()).toEqual(
      scheduled.map((trigger) => trigger.expression).sort(),
    );
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ]);
    }
  });

  test('dev: its own stack names, no WAF, deleted with its stacks', () => {
    expect(dev().stateful.stackName).toBe('PaymentsDevStatefulStack');
    expect(count(dev(), 'AWS::WAFv2::WebACL')).toBe(0);
    expect(deletionPolicies(dev(), 'AWS::SQS::Queue')).toEqual(['Delete']);
  });

  /** Resource types `cdk destroy` leaves behind (Retain), and whether anything refuses deletion. */
  const whatDestroyKeeps = (synth: SynthesizedPaymentsApp) => {
    const resources = synth.templates.flatMap((template) =>
      Object.values((template as { Resources: Record<string, Record<string, unknown>> }).Resources),
    );
    return {
      retained: [
        ...new Set(resources.filter((r) => r.DeletionPolicy === 'Retain').map((r) => String(r.Type))),
      ].sort(),
      deletionProtected: resources.filter(
        (r) => (r.Properties as Record<string, unknown> | undefined)?.DeletionProtectionEnabled === true,
      ).length,
      terminationProtected: synth.stateful.terminationProtection || synth.stateless.terminationProtection,
      emptiedBuckets: resources.filter((r) => r.Type === 'Custom::S3AutoDeleteObjects').length,
    };
  };

  test('destroy: dev and localstack leave nothing behind; prod keeps its data and the account logging role', () => {
    for (const synth of [dev(), localstack()]) {
      expect(whatDestroyKeeps(synth)).toEqual({
        retained: [],
        deletionProtected: 0,
        terminationProtected: false,
        // Versioned report buckets hold objects; CloudFormation deletes only empty buckets.
        emptiedBuckets: 2,
      });
      // The account-wide API Gateway logging role belongs to prod's stack, not to a copy that goes.
      expect(count(synth, 'AWS::ApiGateway::Account')).toBe(0);
    }
    expect(whatDestroyKeeps(prod())).toEqual({
      retained: [
        'AWS::ApiGateway::Account',
        'AWS::DynamoDB::Table',
        'AWS::IAM::Role',
        'AWS::Logs::LogGroup',
        'AWS::S3::Bucket',
        'AWS::SQS::Queue',
        'AWS::SecretsManager::Secret',
      ],
      deletionProtected: Object.keys(topology.tables).length,
      terminationProtected: true,
      emptiedBuckets: 0,
    });
    // A copy that must create the logging role (an account without prod) still never deletes it.
    const owning = synthOf('dev+cloudWatchRole', { profile: 'dev', cloudWatchRole: 'true' });
    expect(whatDestroyKeeps(owning).retained).toEqual(['AWS::ApiGateway::Account', 'AWS::IAM::Role']);
  });

  test('the PSP secret is created empty and its ARN is a named output', () => {
    for (const synth of [prod(), localstack()]) {
      const secrets = synth.statefulTemplate.findResources('AWS::SecretsManager::Secret');
      const [psp] = Object.entries(secrets).filter(([id]) => id.startsWith('PspSecret'));
      expect(psp?.[1]).toMatchObject({
        Properties: expect.not.objectContaining({ SecretString: expect.anything() }),
      });
      expect(psp?.[1]).toMatchObject({
        Properties: expect.not.objectContaining({ GenerateSecretString: expect.anything() }),
      });
      synth.statefulTemplate.hasOutput('PspSecretArn', { Value: { Ref: psp?.[0] } });
    }
  });
});
