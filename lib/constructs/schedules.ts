import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  entries,
  type FunctionName,
  SCHEDULE_TIME_ZONE,
  type ScheduleTrigger,
  type Topology,
} from '../topology';
import type { Functions } from './functions';

export interface SchedulesProps {
  readonly topology: Topology;
  readonly functions: Functions;
  /**
   * EventBridge Scheduler (cron in Seoul time) when true; EventBridge rules (cron in UTC) otherwise,
   * for LocalStack, whose Scheduler stores schedules but never fires them.
   */
  readonly useScheduler: boolean;
  /** Customer-managed key of the dead-letter queues (regulated deploys); SSE-SQS otherwise. */
  readonly encryptionKey?: kms.IKey;
}

export interface ScheduledFunction {
  readonly functionName: FunctionName;
  /** Deliveries to the function that failed (alarmed on any). */
  readonly failedDeliveries: cloudwatch.Metric;
  /** Where failed deliveries and runs that failed after Lambda's async retries are kept (alarmed on any). */
  readonly deadLetterQueue: sqs.Queue;
}

/** A tick that failed for good is only evidence: the next tick redoes the work. Kept as long as SQS allows. */
const DEAD_LETTER_RETENTION = Duration.days(14);
/** Both the scheduler's delivery and Lambda's asynchronous invocation retry briefly, then give up. */
const RETRY_ATTEMPTS = 2;
const MAX_EVENT_AGE = Duration.hours(1);

/**
 * A schedule per `schedule` trigger, each function with one dead-letter queue that receives both
 * the deliveries the scheduler could not make and the asynchronous runs that failed after Lambda's
 * retries (the function's on-failure destination). Scheduled jobs are idempotent and the next tick
 * redoes missed work, so those messages are for a person to look at, not to redrive.
 */
export class Schedules extends Construct {
  readonly scheduled: ScheduledFunction[] = [];
  private readonly props: SchedulesProps;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    this.props = props;
    for (const [name, spec] of entries(props.topology.functions)) {
      const triggers = spec.triggers.filter(
        (trigger): trigger is ScheduleTrigger => trigger.kind === 'schedule',
      );
      if (triggers.length === 0) continue;
      const deadLetterQueue = this.deadLetterQueue(name);
      props.functions.get(name).configureAsyncInvoke({
        onFailure: new destinations.SqsDestination(deadLetterQueue),
        retryAttempts: RETRY_ATTEMPTS,
        maxEventAge: MAX_EVENT_AGE,
      });
      triggers.forEach((trigger, index) => {
        const failedDeliveries = props.useScheduler
          ? this.schedule(name, index, trigger, deadLetterQueue)
          : this.rule(name, index, trigger, deadLetterQueue);
        this.scheduled.push({ functionName: name, failedDeliveries, deadLetterQueue });
      });
    }
  }

  private deadLetterQueue(name: FunctionName): sqs.Queue {
    const key = this.props.encryptionKey;
    const queue = new sqs.Queue(this, `${name}ScheduleDlq`, {
      retentionPeriod: DEAD_LETTER_RETENTION,
      ...(key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'The dead-letter queue of a schedule and of its function’s failed asynchronous runs: terminal, alarmed on any visible message.',
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'Itself the terminal dead-letter queue of a schedule: nothing consumes it, so it has nothing to redrive to; alarmed on any visible message.',
    });
    return queue;
  }

  /** EventBridge Scheduler, its own group per schedule so its delivery errors can be alarmed on by function. */
  private schedule(name: FunctionName, index: number, trigger: ScheduleTrigger, deadLetterQueue: sqs.Queue) {
    // Holds no state: destroyed with the stack like the schedule itself.
    const group = new scheduler.ScheduleGroup(this, `${name}ScheduleGroup${index}`, {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${name}SchedulerRole${index}`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.props.functions.get(name).stack.account } },
      }),
    });
    // The target construct grants sqs:SendMessage only; an encrypted queue also needs the key's data keys.
    this.props.encryptionKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    new scheduler.Schedule(this, `${name}Schedule${index}`, {
      description: `Runs ${name} on ${trigger.expression}${isCron(trigger) ? ` (${SCHEDULE_TIME_ZONE})` : ''}`,
      scheduleGroup: group,
      schedule: scheduler.ScheduleExpression.expression(
        trigger.expression,
        isCron(trigger) ? TimeZone.of(SCHEDULE_TIME_ZONE) : undefined,
      ),
      target: new schedulerTargets.LambdaInvoke(this.props.functions.get(name), {
        role,
        // Scheduler sends only what it is given: `time` is what an EventBridge rule's event carries,
        // the scheduled time reconciliation closes days by (not the clock of a late or retried run).
        input: scheduler.ScheduleTargetInput.fromObject({ time: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue,
        retryAttempts: RETRY_ATTEMPTS,
        maxEventAge: MAX_EVENT_AGE,
      }),
    });
    const fn = this.props.functions.get(name);
    const fnLogicalId = Stack.of(fn).resolve((fn.node.defaultChild as CfnElement).logicalId) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: `The * stands for the versions and aliases of ${name}: the scheduler may invoke that one function only.`,
    });
    return group.metricTargetErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
  }

  /** An EventBridge rule: cron in UTC (LocalStack only, documented). */
  private rule(name: FunctionName, index: number, trigger: ScheduleTrigger, deadLetterQueue: sqs.Queue) {
    const rule = new events.Rule(this, `${name}Schedule${index}`, {
      description: `Runs ${name} on ${trigger.expression} (UTC)`,
      schedule: events.Schedule.expression(trigger.expression),
    });
    rule.addTarget(
      new targets.LambdaFunction(this.props.functions.get(name), {
        retryAttempts: RETRY_ATTEMPTS,
        maxEventAge: MAX_EVENT_AGE,
        deadLetterQueue,
      }),
    );
    this.props.encryptionKey?.grant(
      new iam.ServicePrincipal('events.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey',
    );
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
  }
}

const isCron = (trigger: ScheduleTrigger) => trigger.expression.startsWith('cron(');
