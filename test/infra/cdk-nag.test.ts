import { Stack, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type Topology, topology } from '../../lib/topology';
import { fullTopology } from './fixtures/full-topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';
import { acknowledgments } from './template-queries';

describe.each<[string, Topology]>([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('cdk-nag AwsSolutions and Serverless (%s)', (_label, subject) => {
  let synth: SynthesizedPaymentsApp;
  beforeAll(() => {
    // Synthesis itself runs the pack registered by definePaymentsApp and throws on any finding.
    synth = synthPaymentsApp(subject);
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports no unacknowledged error or warning', (_pack, pack) => {
    const report = pack().validateScope(synth.app);
    const findings = report.violations.map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity,
      resources: violation.violatingResources.map((resource) => resource.constructPath),
    }));
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('every acknowledgment names one AwsSolutions or Serverless finding on a specific construct and explains why', () => {
    const acknowledged = acknowledgments(synth.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of acknowledged) {
      const where = construct.node.path;
      expect({ where, id }).toEqual({
        where,
        id: expect.stringMatching(/^Annotation::(AwsSolutions-[A-Z]+\d+(\[.+\])?|Serverless-[A-Za-z]+)$/),
      });
      expect({ where, appOrStackWide: Stage.isStage(construct) || Stack.isStack(construct) }).toEqual({
        where,
        appOrStackWide: false,
      });
      expect({ where, id, reason: reason.length >= 60 }).toEqual({ where, id, reason: true });
    }
  });
});
