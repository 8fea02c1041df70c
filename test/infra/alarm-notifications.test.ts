import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ALARM_THRESHOLDS, apiFunctions } from '../../lib/constructs/alarms';
import { deadLetterQueueName, entries, topology } from '../../lib/topology';
import { fullTopology } from './fixtures/full-topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';

const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type));

describe.each([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('alarm notifications and dashboard (%s)', (_label, subject) => {
  let synth: SynthesizedPaymentsApp;
  let topicId: string;
  beforeAll(() => {
    synth = synthPaymentsApp(subject);
    const topics = resourcesOf(synth.statelessTemplate, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    topicId = topics[0]?.[0] as string;
  });

  test('every alarm of both stacks notifies the one topic, on alarm and back to OK', () => {
    const alarms = [
      ...resourcesOf(synth.statefulTemplate, 'AWS::CloudWatch::Alarm'),
      ...resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Alarm'),
    ];
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      expect({ id, actions: alarm.Properties.AlarmActions }).toEqual({ id, actions: [{ Ref: topicId }] });
      expect({ id, actions: alarm.Properties.OKActions }).toEqual({ id, actions: [{ Ref: topicId }] });
    }
  });

  test('the topic refuses publishing without TLS and has no subscriber unless alarmEmail is set', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    synth.statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('one dashboard shows outcomes, latency, outbox lag, every terminal queue, recovery, reconciliation and every alarm', () => {
    const dashboards = resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.[1].Properties.DashboardBody);
    for (const title of [
      'Confirm outcomes',
      'API: share of requests answered 5xx',
      'API: p99 latency',
      'API functions: unhandled errors',
      'API functions: throttles',
      'Stream lag',
      'Queues: age of the oldest message',
      'Latency',
      'Outbox lag',
      'Dead-letter depth',
      'Recovery backlog',
      'Reconciliation',
    ]) {
      expect(body).toContain(title);
    }
    for (const [name, spec] of entries(subject.queues)) {
      expect(body).toContain(spec.deadLetter ? deadLetterQueueName(name) : name);
    }
    const alarmIds = Object.keys(synth.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    for (const id of alarmIds) expect(body).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
  });
});

type AlarmResource = { Properties: Record<string, unknown> };

describe('alarms on customer impact (real topology)', () => {
  let synth: SynthesizedPaymentsApp;
  beforeAll(() => {
    synth = synthPaymentsApp(topology);
  });
  const alarms = () =>
    Object.entries(synth.statelessTemplate.findResources('AWS::CloudWatch::Alarm')) as [
      string,
      AlarmResource,
    ][];
  /** The alarm whose construct id is `id` (logical id `Alarms<id><hash>`). */
  const alarm = (id: string): AlarmResource['Properties'] => {
    // Logical ids keep only the alphanumerics of the construct id (`wallet-dlq` -> `walletdlq`).
    const logical = id.replace(/[^A-Za-z0-9]/g, '');
    const found = alarms().filter(([logicalId]) =>
      new RegExp(`^Alarms${logical}[0-9A-F]{8}$`).test(logicalId),
    );
    expect({ id, found: found.length }).toEqual({ id, found: 1 });
    return found[0]?.[1].Properties ?? {};
  };

  test('API 5xx rate and p99 latency', () => {
    const rate = alarm('ApiServerErrorRate');
    expect(rate).toMatchObject({
      Threshold: ALARM_THRESHOLDS.apiServerErrorPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    });
    expect(JSON.stringify(rate.Metrics)).toContain(
      `IF(requests >= ${ALARM_THRESHOLDS.apiServerErrorMinRequests}, 100 * errors / requests, 0)`,
    );
    expect(JSON.stringify(rate.Metrics)).toContain('5XXError');
    expect(alarm('ApiLatencyP99')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 5_000,
      EvaluationPeriods: 3,
    });
  });

  test('errors and throttles of every API function', () => {
    expect(apiFunctions(topology)).toEqual(
      expect.arrayContaining(['checkout', 'confirmPayment', 'cancelPayment', 'getPayment', 'pspWebhook']),
    );
    for (const name of apiFunctions(topology)) {
      expect(alarm(`${name}ApiErrors`)).toMatchObject({
        MetricName: 'Errors',
        Statistic: 'Sum',
        Threshold: 5,
      });
      expect(alarm(`${name}Throttles`)).toMatchObject({
        MetricName: 'Throttles',
        Statistic: 'Sum',
        Threshold: 0,
      });
    }
  });

  test("the publisher's stream iterator age and the oldest message of every queue", () => {
    expect(alarm('publisherIteratorAge')).toMatchObject({
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 60_000,
      EvaluationPeriods: 3,
    });
    for (const [name, spec] of entries(topology.queues)) {
      const consumed = spec.deadLetter !== undefined;
      expect(alarm(`${name}OldestMessage`)).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: consumed ? 600 : 86_400,
      });
      if (consumed)
        expect(alarm(`${deadLetterQueueName(name)}OldestMessage`)).toMatchObject({ Threshold: 86_400 });
    }
  });

  test('every alarm names its runbook entry, and docs/OPERATIONS.md has it', () => {
    const runbook = readFileSync(path.join(__dirname, '..', '..', 'docs', 'OPERATIONS.md'), 'utf8');
    const headings = new Set(
      runbook
        .split('\n')
        .filter((line) => line.startsWith('## '))
        .map((line) => line.slice(3)),
    );
    for (const [id, { Properties }] of alarms()) {
      const entry = /Runbook: docs\/OPERATIONS\.md, "([^"]+)"/.exec(String(Properties.AlarmDescription))?.[1];
      expect({ id, entry, documented: entry !== undefined && headings.has(entry) }).toEqual({
        id,
        entry,
        documented: true,
      });
    }
  });

  test("every alarm's metric is graphed on the dashboard, not only its state", () => {
    const [dashboard] = Object.values(synth.statelessTemplate.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    // The body is JSON inside a CloudFormation string: its quotes arrive escaped.
    const labels = new Set(
      [...body.matchAll(/\\"label\\":\\"([^\\]+)\\"/g)].map((m) => String(m[1]).replace(/[^A-Za-z0-9]/g, '')),
    );
    expect(labels.size).toBeGreaterThan(0);
    for (const [id] of alarms()) {
      const label = /^Alarms(.+)[0-9A-F]{8}$/.exec(id)?.[1];
      expect({ id, graphed: labels.has(String(label)) }).toEqual({ id, graphed: true });
    }
  });
});

describe('alarmEmail context', () => {
  test('prod refuses to synthesize without a subscriber unless alarmEmail=none says so', () => {
    expect(() => synthPaymentsApp(topology, { profile: 'prod', alarmEmail: '' })).toThrow(/alarmEmail=none/);
  });

  test('subscribes the address to the alarm topic', () => {
    const { statelessTemplate } = synthPaymentsApp(topology, { alarmEmail: 'oncall@example.com' });
    statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 1);
    statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  test('refuses something that is not an address', () => {
    expect(() => synthPaymentsApp(topology, { alarmEmail: 'oncall' })).toThrow(/alarmEmail/);
  });
});
