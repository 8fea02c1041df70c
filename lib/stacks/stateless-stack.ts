import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
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
    // The deploy profile's logRetentionDays is one of CloudWatch Logs' values (checked there).
    const logRetention = props.deploy.logRetentionDays as logs.RetentionDays;
    const opsKey = props.deploy.regulated ? this.operationsKey() : undefined;

    const functions = new Functions(this, 'Functions', {
      topology,
      tables,
      queues,
      buckets,
      psp: { baseUrl: props.deploy.pspBaseUrl, secret: stateful.pspSecret.secret },
      orderIdSecret: stateful.orderIdSecret,
      logRetention,
      reservedConcurrency: props.deploy.reservedConcurrency,
      walletShards: props.deploy.walletShards,
      operatorPrincipals: props.deploy.operatorPrincipals,
      tracing: props.deploy.tracing,
      dataKey: stateful.dataKey,
      logKey: opsKey,
    });
    const api = new PaymentsRestApi(this, 'Api', {
      topology,
      functions,
      throttling: props.throttling,
      logRetention,
      tracing: props.deploy.tracing,
      cloudWatchRole: props.deploy.cloudWatchRole,
      logKey: opsKey,
    });
    this.api = api;
    if (props.deploy.waf) {
      new ApiFirewall(this, 'ApiFirewall', { stage: api.api.deploymentStage, logRetention, logKey: opsKey });
    } else {
      Validations.of(api.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `Deploy profile ${props.deploy.profile} runs without WAF (waf=false): a LocalStack or dev copy that takes no public traffic; prod keeps the managed rule groups.`,
      });
    }
    new EventSources(this, 'EventSources', { topology, functions, tables, queues });
    const schedules = new Schedules(this, 'Schedules', {
      topology,
      functions,
      useScheduler: props.deploy.profile !== 'localstack',
      encryptionKey: opsKey,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      topology,
      api: api.api,
      queues,
      functions,
      scheduled: schedules.scheduled,
    });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      email: props.deploy.alarmEmail,
      masterKey: opsKey,
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      api: api.api,
      functions,
      alarms: this.alarms,
    });
  }

  /**
   * The customer-managed key of the log groups and the alarm topic (regulated deploys): CloudWatch
   * Logs may use it for this account's log groups in this region, CloudWatch alarms to publish.
   */
  private operationsKey(): kms.Key {
    const key = new kms.Key(this, 'OpsKey', {
      description: 'Payments operations: log groups and the alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
  }
}
