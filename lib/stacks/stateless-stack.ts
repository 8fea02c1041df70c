import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { Alarms } from '../constructs/alarms';
import { ApiFirewall } from '../constructs/api-firewall';
import { OperationsDashboard } from '../constructs/dashboard';
import { EventSources } from '../constructs/event-sources';
import { Functions } from '../constructs/functions';
import { PaymentsRestApi, type StageThrottling } from '../constructs/http-api';
import { Schedules } from '../constructs/schedules';
import type { DeployProfile } from '../deploy-profile';
import type { Topology } from '../topology';
import type { PaymentsStatefulStack } from './stateful-stack';

export interface PaymentsStatelessStackProps extends StackProps {
  readonly topology: Topology;
  readonly stateful: PaymentsStatefulStack;
  /** WAF, reserved concurrency, PSP URL, alarm email, wallet shards and tracing of the deploy profile. */
  readonly deploy: DeployProfile;
  readonly throttling: StageThrottling;
}

/** A debugging window: the durable audit trail is the event items in the payments table, not logs. */
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Compute and wiring: functions, the REST API, event source mappings, schedules, alarms. Safe to replace. */
export class PaymentsStatelessStack extends Stack {
  readonly alarms: Alarms;
  /** Every alarm of this stack notifies it; the deploy profile's `alarmEmail` subscribes an address. */
  readonly alarmTopic: AlarmTopic;
  readonly dashboard: OperationsDashboard;
  readonly api: PaymentsRestApi;

  constructor(scope: Construct, id: string, props: PaymentsStatelessStackProps) {
    super(scope, id, props);
    const { topology, stateful } = props;
    const { tables, queues, buckets } = stateful;

    const functions = new Functions(this, 'Functions', {
      topology,
      tables,
      queues,
      buckets,
      psp: { baseUrl: props.deploy.pspBaseUrl, secret: stateful.pspSecret.secret },
      orderIdSecret: stateful.orderIdSecret,
      logRetention: LOG_RETENTION,
      reservedConcurrency: props.deploy.reservedConcurrency,
      walletShards: props.deploy.walletShards,
      tracing: props.deploy.tracing,
    });
    const api = new PaymentsRestApi(this, 'Api', {
      topology,
      functions,
      throttling: props.throttling,
      logRetention: LOG_RETENTION,
      tracing: props.deploy.tracing,
      cloudWatchRole: props.deploy.cloudWatchRole,
    });
    this.api = api;
    if (props.deploy.waf) {
      new ApiFirewall(this, 'ApiFirewall', { stage: api.api.deploymentStage });
    } else {
      Validations.of(api.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `Deploy profile ${props.deploy.profile} runs without WAF (waf=false): a LocalStack or dev copy that takes no public traffic; prod keeps the managed rule groups.`,
      });
    }
    new EventSources(this, 'EventSources', { topology, functions, tables, queues });
    const schedules = new Schedules(this, 'Schedules', { topology, functions });
    this.alarms = new Alarms(this, 'Alarms', {
      topology,
      api: api.api,
      queues,
      functions,
      scheduled: schedules.scheduled,
    });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.deploy.alarmEmail });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      api: api.api,
      functions,
      alarms: this.alarms,
    });
  }
}
