import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { resolveDeployProfile } from '../../lib/deploy-profile';
import { definePaymentsApp, type PaymentsStacks } from '../../lib/stacks/payments-app';
import type { Topology } from '../../lib/topology';

export interface SynthesizedPaymentsApp extends PaymentsStacks {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  /** Raw template JSON of both stacks, for readers that follow cross-stack references. */
  readonly templates: object[];
}

export const PSP_BASE_URL = 'https://psp.example.test';

/**
 * Synthesizes the app as `cdk synth` would (cdk-nag registered), except that asset bundling is skipped:
 * esbuild per function would dominate the infra tier's time and the templates do not depend on it.
 * `context` is what `-c key=value` would give; by default the prod profile with reserved concurrency
 * and tracing opted in, so the template shows every setting of the topology, and no alarm subscriber
 * (`alarmEmail=none`) unless the context names one.
 */
export function synthPaymentsApp(
  topology: Topology,
  context: Readonly<Record<string, string>> = { reservedConcurrency: 'true', tracing: 'true' },
): SynthesizedPaymentsApp {
  const app = new App({ context: { ...context, [BUNDLING_STACKS]: [] } });
  const settings: Record<string, string> = { pspBaseUrl: PSP_BASE_URL, alarmEmail: 'none', ...context };
  const stacks = definePaymentsApp(app, {
    deploy: resolveDeployProfile((key) => settings[key]),
    throttling: { rateLimit: 100, burstLimit: 200 },
    topology,
  });
  app.synth();
  const statefulTemplate = Template.fromStack(stacks.stateful);
  const statelessTemplate = Template.fromStack(stacks.stateless);
  return {
    app,
    ...stacks,
    statefulTemplate,
    statelessTemplate,
    templates: [statefulTemplate.toJSON(), statelessTemplate.toJSON()],
  };
}
