import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { entries, type FunctionName, type Topology } from '../topology';
import type { Functions } from './functions';

export interface SchedulesProps {
  readonly topology: Topology;
  readonly functions: Functions;
}

export interface ScheduledFunction {
  readonly functionName: FunctionName;
  /** Deliveries to the function that failed for good (alarmed on any). */
  readonly failedDeliveries: cloudwatch.Metric;
}

/**
 * An EventBridge rule per `schedule` trigger. Scheduled jobs are idempotent and the next tick redoes
 * any missed work, so a delivery is retried briefly and then dropped (visible through alarms) rather
 * than parked in a DLQ whose replay would only duplicate a later run.
 */
export class Schedules extends Construct {
  readonly scheduled: ScheduledFunction[] = [];

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    for (const [name, spec] of entries(props.topology.functions)) {
      spec.triggers.forEach((trigger, index) => {
        if (trigger.kind !== 'schedule') return;
        const rule = new events.Rule(this, `${name}Schedule${index}`, {
          description: `Runs ${name} on ${trigger.expression}`,
          schedule: events.Schedule.expression(trigger.expression),
        });
        rule.addTarget(
          new targets.LambdaFunction(props.functions.get(name), {
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        );
        const failedDeliveries = new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: rule.ruleName },
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(5),
        });
        this.scheduled.push({ functionName: name, failedDeliveries });
      });
    }
  }
}
