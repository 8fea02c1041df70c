import { Match, type Template } from 'aws-cdk-lib/assertions';
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

describe('alarmEmail context', () => {
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
