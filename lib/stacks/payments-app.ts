import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageThrottling } from '../constructs/http-api';
import { stackNames, type Topology, topology } from '../topology';
import { PaymentsStatefulStack } from './stateful-stack';
import { PaymentsStatelessStack } from './stateless-stack';

export interface PaymentsAppConfig {
  /** Prefix of both stack names, so several copies (dev, staging) can share an account. */
  readonly stackPrefix: string;
  readonly pspBaseUrl: string;
  readonly throttling: StageThrottling;
  readonly topology: Topology;
}

const DEFAULTS = {
  stackPrefix: 'Payments',
  pspBaseUrl: 'https://api.tosspayments.com',
  throttling: { rateLimit: 100, burstLimit: 200 },
} as const;

/** Reads deploy-time settings: CDK context (`-c stackPrefix=...`) first, then the environment. */
export function paymentsAppConfig(app: App): PaymentsAppConfig {
  const setting = (contextKey: string, envVar: string): string | undefined =>
    app.node.tryGetContext(contextKey) ?? process.env[envVar];
  const pspBaseUrl = setting('pspBaseUrl', 'PSP_BASE_URL') ?? DEFAULTS.pspBaseUrl;
  // The PSP secret key travels in every request; a plain-HTTP URL (say, the local simulator) must not ship.
  if (!pspBaseUrl.startsWith('https://'))
    throw new Error(`pspBaseUrl must be an https URL, got ${pspBaseUrl}`);
  return {
    stackPrefix: setting('stackPrefix', 'STACK_PREFIX') ?? DEFAULTS.stackPrefix,
    pspBaseUrl,
    throttling: DEFAULTS.throttling,
    topology,
  };
}

export interface PaymentsStacks {
  readonly stateful: PaymentsStatefulStack;
  readonly stateless: PaymentsStatelessStack;
}

/** Adds both stacks to `app` and registers the cdk-nag AwsSolutions pack, which fails synthesis on any finding. */
export function definePaymentsApp(app: App, config: PaymentsAppConfig): PaymentsStacks {
  const names = stackNames(config.stackPrefix);
  const stateful = new PaymentsStatefulStack(app, names.stateful, {
    description: 'Payments: tables, queues, report buckets and secrets (retained, termination-protected)',
    topology: config.topology,
  });
  const stateless = new PaymentsStatelessStack(app, names.stateless, {
    description: 'Payments: functions, REST API, event sources, schedules and alarms',
    topology: config.topology,
    stateful,
    pspBaseUrl: config.pspBaseUrl,
    throttling: config.throttling,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless };
}
