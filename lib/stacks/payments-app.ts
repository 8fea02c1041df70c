import { type App, RemovalPolicies, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { StageThrottling } from '../constructs/http-api';
import { type DeployProfile, resolveDeployProfile } from '../deploy-profile';
import { stackNames, type Topology, topology, withQueueShards } from '../topology';
import { PaymentsStatefulStack } from './stateful-stack';
import { PaymentsStatelessStack } from './stateless-stack';

export interface PaymentsAppConfig {
  readonly deploy: DeployProfile;
  readonly throttling: StageThrottling;
  readonly topology: Topology;
}

const THROTTLING: StageThrottling = { rateLimit: 100, burstLimit: 200 };

/** Reads deploy-time settings: the deploy profile from CDK context (`-c profile=dev`) and the environment. */
export function paymentsAppConfig(app: App): PaymentsAppConfig {
  const deploy = resolveDeployProfile((key) => app.node.tryGetContext(key), process.env);
  return { deploy, throttling: THROTTLING, topology: withQueueShards(topology, deploy.queueShards) };
}

export interface PaymentsStacks {
  readonly stateful: PaymentsStatefulStack;
  readonly stateless: PaymentsStatelessStack;
}

/** Adds both stacks to `app` and registers the cdk-nag AwsSolutions and Serverless packs, which fail synthesis on any finding. */
export function definePaymentsApp(app: App, config: PaymentsAppConfig): PaymentsStacks {
  const { deploy } = config;
  const retained = deploy.removalPolicy === 'retain';
  const names = stackNames(deploy.stackPrefix);
  const stateful = new PaymentsStatefulStack(app, names.stateful, {
    description: `Payments: tables, queues, report buckets and secrets (${retained ? 'retained, termination-protected' : 'deleted with the stack'})`,
    topology: config.topology,
    retained,
    regulated: deploy.regulated,
    terminationProtection: retained,
  });
  const stateless = new PaymentsStatelessStack(app, names.stateless, {
    description: 'Payments: functions, REST API, event sources, schedules and alarms',
    topology: config.topology,
    stateful,
    deploy,
    throttling: config.throttling,
  });
  // dev and LocalStack copies leave nothing behind when their stacks are deleted, except the
  // account-wide API Gateway logging role should such a copy own it (other stacks' stages rely on it).
  if (!retained)
    for (const stack of [stateful, stateless]) RemovalPolicies.of(stack).apply(RemovalPolicy.DESTROY);
  for (const accountWide of ['CloudWatchRole', 'Account']) {
    const owned = stateless.api.api.node.tryFindChild(accountWide);
    if (owned) RemovalPolicies.of(owned).apply(RemovalPolicy.RETAIN);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { stateful, stateless };
}
