import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PSP_UNAVAILABLE_METRIC } from '../../lambdas/application/outcomes';
import { RECONCILIATION_DISCREPANCIES_METRIC } from '../../lambdas/application/reconciliation-metrics';
import { LEDGER_WALLET_DIVERGENCE_METRIC } from '../../lambdas/application/record-settlement';
import {
  CANCEL_INTENT_HELD_METRIC,
  RECOVERY_EXHAUSTED_METRIC,
  RECOVERY_STALLED_METRIC,
} from '../../lambdas/application/recovery';
import type { FunctionName } from '../topology';
import { deadLetterQueueName } from '../topology';
import { type Functions, METRICS_NAMESPACE } from './functions';
import type { Queues } from './queues';
import type { ScheduledFunction } from './schedules';

export interface AlarmsProps {
  readonly queues: Queues;
  readonly functions: Functions;
  readonly scheduled: readonly ScheduledFunction[];
}

/** Where messages stop being retried: every dead-letter queue, and queues without one (a stream's on-failure queue). */
export function terminalQueues(queues: Queues): { name: string; queue: sqs.IQueue }[] {
  return queues
    .all()
    .map(({ name, queue, deadLetterQueue }) =>
      deadLetterQueue ? { name: deadLetterQueueName(name), queue: deadLetterQueue } : { name, queue },
    );
}

/**
 * Alarms for work that left the happy path and needs a person: any message in a dead-letter queue,
 * scheduled runs that failed, payments recovery gave up on, and orders reconciliation could not match. Each notifies the stack's AlarmTopic.
 */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    for (const { name, queue } of terminalQueues(props.queues)) this.alarmOnWaitingMessages(name, queue);
    for (const { functionName, rule } of props.scheduled) {
      const failedDeliveries = new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });
      this.alarmOnAny(
        `${functionName}ScheduleFailed`,
        failedDeliveries,
        `EventBridge could not invoke ${functionName}`,
      );
      const errors = props.functions.get(functionName).metricErrors({ period: Duration.minutes(5) });
      this.alarmOnAny(`${functionName}Errors`, errors, `Scheduled function ${functionName} failed`);
    }
    // A daily period: the alarm reflects the latest reconciliation until the next one reports.
    this.alarmOnServiceMetric(
      'reconciliation',
      RECONCILIATION_DISCREPANCIES_METRIC,
      Duration.days(1),
      'Reconciliation left orders for a person: see reconciliation/<date>/discrepancies.csv in the reports bucket',
    );
    this.alarmOnServiceMetric(
      'recovery',
      RECOVERY_EXHAUSTED_METRIC,
      Duration.minutes(5),
      'Recovery gave up on a payment (FAILURE RECOVERY_EXHAUSTED): check it at the PSP, see OPERATIONS.md',
    );
    this.alarmOnServiceMetric(
      'recovery',
      RECOVERY_STALLED_METRIC,
      Duration.minutes(5),
      'Recovery cannot reach the PSP for payments it keeps UNKNOWN: check the PSP and its secret, see OPERATIONS.md',
    );
    // An hour: recovery looks at a held intent at most every 30 minutes, and it stays held until a person acts.
    this.alarmOnServiceMetric(
      'recovery',
      CANCEL_INTENT_HELD_METRIC,
      Duration.hours(1),
      'A cancel intent outlived its PSP idempotency key and is not re-sent: settle it at the PSP, see OPERATIONS.md',
    );
    for (const service of ['confirmPayment', 'cancelPayment'] as const) {
      this.alarmOnServiceMetric(
        service,
        PSP_UNAVAILABLE_METRIC,
        Duration.minutes(5),
        `${service} answered 503 PSP_UNAVAILABLE: the PSP refused our secret key or configuration, see OPERATIONS.md`,
        `${service}${PSP_UNAVAILABLE_METRIC}`,
      );
    }
    this.alarmOnServiceMetric(
      'completion',
      LEDGER_WALLET_DIVERGENCE_METRIC,
      Duration.minutes(5),
      'Wallet and ledger applied different amounts for a payment: see the completion function logs, OPERATIONS.md',
    );
  }

  /** A custom metric one function emits through Powertools, which adds its `service` dimension. */
  private alarmOnServiceMetric(
    service: FunctionName,
    metricName: string,
    period: Duration,
    description: string,
    id = metricName,
  ): void {
    const metric = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.alarmOnAny(id, metric, description);
  }

  private alarmOnWaitingMessages(topologyName: string, queue: sqs.IQueue): void {
    const visible = queue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
    });
    this.alarmOnAny(
      `${topologyName}Messages`,
      visible,
      `Messages are waiting in ${topologyName}; inspect and redrive`,
    );
  }

  private alarmOnAny(id: string, metric: cloudwatch.IMetric, description: string): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        metric,
        alarmDescription: description,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
