/**
 * The regulated deploy (`-c regulated=true`): customer-managed keys on every store of data and
 * every log, logs a year or more, table backups; and the firewall every prod deploy has (rate
 * limits, the tighter one on the webhook route, logging).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { FIREWALL_RATE_LIMITS } from '../../lib/constructs/api-firewall';
import { BACKUP_RETENTION } from '../../lib/constructs/table-backups';
import { topology } from '../../lib/topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];

describe('regulated deploy', () => {
  let synth: SynthesizedPaymentsApp;
  beforeAll(() => {
    synth = synthPaymentsApp(topology, { profile: 'prod', regulated: 'true' });
  });
  const keys = (template: Template) => resources(template, 'AWS::KMS::Key');

  test('one rotated customer-managed key per stack: data (stateful) and operations (stateless)', () => {
    for (const template of [synth.statefulTemplate, synth.statelessTemplate]) {
      expect(keys(template)).toHaveLength(1);
      expect(keys(template)[0]?.[1].Properties.EnableKeyRotation).toBe(true);
    }
  });

  test('tables, queues and the reports bucket are under the data key', () => {
    const tables = resources(synth.statefulTemplate, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(Object.keys(topology.tables).length);
    for (const [id, table] of tables)
      expect({ id, sse: table.Properties.SSESpecification }).toEqual({
        id,
        sse: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      });
    for (const [id, queue] of resources(synth.statefulTemplate, 'AWS::SQS::Queue'))
      expect({ id, key: queue.Properties.KmsMasterKeyId }).toEqual({ id, key: expect.anything() });
    const encrypted = resources(synth.statefulTemplate, 'AWS::S3::Bucket').filter(([, bucket]) =>
      JSON.stringify(bucket.Properties.BucketEncryption).includes('aws:kms'),
    );
    expect(encrypted).toHaveLength(Object.keys(topology.buckets).length);
  });

  test('every log group and the alarm topic are under the operations key; logs kept a year', () => {
    const groups = resources(synth.statelessTemplate, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(Object.keys(topology.functions).length);
    for (const [id, group] of groups)
      expect({ id, key: group.Properties.KmsKeyId, days: group.Properties.RetentionInDays }).toEqual({
        id,
        key: expect.anything(),
        days: 365,
      });
    const [topic] = resources(synth.statelessTemplate, 'AWS::SNS::Topic');
    expect(topic?.[1].Properties.KmsMasterKeyId).toBeDefined();
  });

  test('the schedules’ dead-letter queues are under the operations key, which each scheduler role may use for data keys', () => {
    const [[opsKeyId]] = keys(synth.statelessTemplate) as [[string, Resource]];
    const queues = resources(synth.statelessTemplate, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, queue] of queues)
      expect({ id, key: queue.Properties.KmsMasterKeyId }).toEqual({
        id,
        key: { 'Fn::GetAtt': [opsKeyId, 'Arn'] },
      });
    const schedules = resources(synth.statelessTemplate, 'AWS::Scheduler::Schedule');
    const policies = resources(synth.statelessTemplate, 'AWS::IAM::Policy');
    for (const [, schedule] of schedules) {
      const role = (schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn[
        'Fn::GetAtt'
      ][0];
      const statements = policies
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
        .flatMap(
          ([, policy]) =>
            (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
        );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: { 'Fn::GetAtt': [opsKeyId, 'Arn'] },
        }),
      );
    }
  });

  test('an AWS Backup plan covers every table: daily kept 35 days, monthly kept a year, in a vault under the data key', () => {
    const [vault] = resources(synth.statefulTemplate, 'AWS::Backup::BackupVault');
    expect(vault?.[1].Properties.EncryptionKeyArn).toBeDefined();
    const [plan] = resources(synth.statefulTemplate, 'AWS::Backup::BackupPlan');
    const { BackupPlanRule: rules } = (plan?.[1].Properties.BackupPlan ?? { BackupPlanRule: [] }) as {
      BackupPlanRule: { Lifecycle: object }[];
    };
    expect(rules.map((rule) => rule.Lifecycle)).toEqual([
      { DeleteAfterDays: BACKUP_RETENTION.dailyDays },
      { DeleteAfterDays: BACKUP_RETENTION.monthlyDays },
    ]);
    const [selection] = resources(synth.statefulTemplate, 'AWS::Backup::BackupSelection');
    const selected = JSON.stringify(selection?.[1].Properties);
    for (const [id] of resources(synth.statefulTemplate, 'AWS::DynamoDB::Table'))
      expect(selected).toContain(id);
  });
});

describe('the prod firewall', () => {
  let synth: SynthesizedPaymentsApp;
  beforeAll(() => {
    synth = synthPaymentsApp(topology, { profile: 'prod' });
  });

  test('rate limits per client address, tighter on /webhooks/toss, answered 429 problem+json, before the managed rules', () => {
    const [acl] = resources(synth.statelessTemplate, 'AWS::WAFv2::WebACL');
    const rules = acl?.[1].Properties.Rules as {
      Name: string;
      Priority: number;
      Statement: { RateBasedStatement?: { Limit: number; ScopeDownStatement?: unknown } };
      Action?: { Block?: { CustomResponse?: { ResponseCode: number } } };
    }[];
    const rate = (name: string) => rules.find((rule) => rule.Name === name);
    expect(rate('WebhookRatePerAddress')?.Statement.RateBasedStatement).toMatchObject({
      Limit: FIREWALL_RATE_LIMITS.webhookPerAddress,
      ScopeDownStatement: {
        ByteMatchStatement: { FieldToMatch: { UriPath: {} }, SearchString: '/webhooks/toss' },
      },
    });
    expect(rate('RatePerAddress')?.Statement.RateBasedStatement?.Limit).toBe(FIREWALL_RATE_LIMITS.perAddress);
    expect(FIREWALL_RATE_LIMITS.webhookPerAddress).toBeLessThan(FIREWALL_RATE_LIMITS.perAddress);
    for (const name of ['WebhookRatePerAddress', 'RatePerAddress'])
      expect(rate(name)?.Action?.Block?.CustomResponse?.ResponseCode).toBe(429);
    const managed = rules.filter((rule) => !rule.Statement.RateBasedStatement).map((rule) => rule.Priority);
    expect(Math.min(...managed)).toBeGreaterThan(Math.max(rate('RatePerAddress')?.Priority ?? 0, 0));
    const bodies = acl?.[1].Properties.CustomResponseBodies as Record<string, { Content: string }>;
    expect(JSON.parse(Object.values(bodies)[0]?.Content ?? '{}')).toMatchObject({
      status: 429,
      code: 'THROTTLED',
    });
  });

  test('logs every request it sees, Authorization redacted, to an aws-waf-logs-* group kept a year', () => {
    const [logging] = resources(synth.statelessTemplate, 'AWS::WAFv2::LoggingConfiguration');
    expect(logging?.[1].Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    const groups = resources(synth.statelessTemplate, 'AWS::Logs::LogGroup').filter(([, group]) =>
      String(group.Properties.LogGroupName ?? '').startsWith('aws-waf-logs-'),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties.RetentionInDays).toBe(365);
  });
});
