import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
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
import type { FunctionName, Topology } from '../topology';
import { deadLetterQueueName, entries } from '../topology';
import { type Functions, METRICS_NAMESPACE } from './functions';
import type { Queues } from './queues';
import type { ScheduledFunction } from './schedules';

export interface AlarmsProps {
  readonly topology: Topology;
  readonly api: apigateway.RestApi;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly scheduled: readonly ScheduledFunction[];
}

/**
 * Thresholds of the customer-impact alarms, in one place so the runbook (docs/OPERATIONS.md) and
 * the tests quote the same numbers.
 */
export const ALARM_THRESHOLDS = {
  /** Share of API requests answered 5xx, per 5 minutes; periods with fewer requests do not count. */
  apiServerErrorPercent: 1,
  apiServerErrorMinRequests: 20,
  /** API p99 latency, 3 consecutive 5-minute periods (confirm and cancel wait for the PSP). */
  apiLatencyP99Ms: 5_000,
  /** Unhandled errors (API Gateway answers 502) of one API function per 5 minutes. */
  apiFunctionErrors: 5,
  /** Throttled invocations of one API function per 5 minutes (a customer got a 5xx for each). */
  apiFunctionThrottles: 0,
  /** Age of the newest stream record the publisher reached, 3 consecutive minutes. */
  streamIteratorAgeMs: 60_000,
  /** Oldest message of a consumed queue, 3 consecutive minutes: consumers are stuck or failing. */
  consumedQueueAgeSeconds: 600,
  /** Oldest message of a terminal queue (DLQ, on-failure): nobody has handled it for a day. */
  terminalQueueAgeSeconds: 86_400,
} as const;

/** Where messages stop being retried: every dead-letter queue, and queues without one (a stream's on-failure queue). */
export function terminalQueues(queues: Queues): { name: string; queue: sqs.IQueue }[] {
  return queues
    .all()
    .map(({ name, queue, deadLetterQueue }) =>
      deadLetterQueue ? { name: deadLetterQueueName(name), queue: deadLetterQueue } : { name, queue },
    );
}

/** The functions behind the API's routes. */
export function apiFunctions(topology: Topology): FunctionName[] {
  return entries(topology.functions)
    .filter(([, spec]) => spec.triggers.some((trigger) => trigger.kind === 'http'))
    .map(([name]) => name);
}

/** The metrics a dashboard panel graphs: every alarm is drawn on the panel its spec names. */
export type AlarmMetric = cloudwatch.Metric | cloudwatch.MathExpression;

interface AlarmSpec {
  /** Title of the dashboard panel that graphs the alarm's metric. */
  readonly panel: string;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  /** What happened, in a sentence. */
  readonly description: string;
  /** Heading of its entry in docs/OPERATIONS.md. */
  readonly runbook: string;
}

/**
 * Alarms on customer impact (API 5xx rate and p99 latency, errors and throttles of every API
 * function, the publisher's stream lag, the age of every queue's oldest message, failed schedule
 * deliveries) and on work that left the happy path and needs a person (any message in a
 * dead-letter queue, payments recovery gave up on, orders reconciliation could not match). Each
 * names its runbook entry; the stack's AlarmTopic is their action.
 */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Dashboard panels by title: each alarm's metric, labelled with the alarm's id. */
  readonly panels = new Map<string, AlarmMetric[]>();

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.customerImpact(props);
    for (const { name, queue } of terminalQueues(props.queues)) {
      this.deadLetterAlarms(name, queue, { advice: 'inspect and redrive', runbook: 'Dead-letter queues' });
    }
    const scheduleDeadLetters = new Map(props.scheduled.map((s) => [s.functionName, s.deadLetterQueue]));
    for (const [functionName, queue] of scheduleDeadLetters) {
      this.deadLetterAlarms(`${functionName}ScheduleDlq`, queue, {
        advice: 'inspect them; the next run redoes the work',
        runbook: 'Alarm: <fn>ScheduleFailed, <fn>Errors (scheduled functions)',
      });
    }
    for (const { functionName, failedDeliveries } of props.scheduled) {
      this.alarm(`${functionName}ScheduleFailed`, failedDeliveries, {
        panel: 'Schedules: failed deliveries and failed runs',
        threshold: 0,
        description: `The scheduler could not invoke ${functionName}.`,
        runbook: 'Alarm: <fn>ScheduleFailed, <fn>Errors (scheduled functions)',
      });
      const errors = props.functions.get(functionName).metricErrors({ period: Duration.minutes(5) });
      this.alarm(`${functionName}Errors`, errors, {
        panel: 'Schedules: failed deliveries and failed runs',
        threshold: 0,
        description: `Scheduled function ${functionName} failed.`,
        runbook: 'Alarm: <fn>ScheduleFailed, <fn>Errors (scheduled functions)',
      });
    }
    this.serviceMetricAlarms();
  }

  private customerImpact({ topology, api, queues, functions }: AlarmsProps): void {
    const fiveMinutes = Duration.minutes(5);
    const { apiServerErrorPercent, apiServerErrorMinRequests } = ALARM_THRESHOLDS;
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${apiServerErrorMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: api.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        requests: api.metricCount({ period: fiveMinutes, statistic: cloudwatch.Stats.SAMPLE_COUNT }),
      },
      period: fiveMinutes,
      label: 'API 5xx %',
    });
    this.alarm('ApiServerErrorRate', serverErrorRate, {
      panel: 'API: share of requests answered 5xx (%)',
      threshold: apiServerErrorPercent,
      description: `More than ${apiServerErrorPercent}% of API requests were answered 5xx in 5 minutes.`,
      runbook: 'Alarm: ApiServerErrorRate',
    });
    this.alarm('ApiLatencyP99', api.metricLatency({ period: fiveMinutes, statistic: 'p99' }), {
      panel: 'API: p99 latency (ms)',
      threshold: ALARM_THRESHOLDS.apiLatencyP99Ms,
      evaluationPeriods: 3,
      description: `API p99 latency above ${ALARM_THRESHOLDS.apiLatencyP99Ms} ms for 15 minutes.`,
      runbook: 'Alarm: ApiLatencyP99',
    });
    for (const name of apiFunctions(topology)) {
      const fn = functions.get(name);
      this.alarm(
        `${name}ApiErrors`,
        fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        {
          panel: 'API functions: unhandled errors',
          threshold: ALARM_THRESHOLDS.apiFunctionErrors,
          description: `API function ${name} failed unhandled (callers got 502) more than ${ALARM_THRESHOLDS.apiFunctionErrors} times in 5 minutes.`,
          runbook: 'Alarm: <fn>ApiErrors, <fn>Throttles (API functions)',
        },
      );
      this.alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        {
          panel: 'API functions: throttles',
          threshold: ALARM_THRESHOLDS.apiFunctionThrottles,
          description: `API function ${name} was throttled (callers got 5xx).`,
          runbook: 'Alarm: <fn>ApiErrors, <fn>Throttles (API functions)',
        },
      );
    }
    for (const [name, spec] of entries(topology.functions)) {
      if (!spec.triggers.some((trigger) => trigger.kind === 'stream')) continue;
      const iteratorAge = functions.get(name).metric('IteratorAge', {
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
      this.alarm(`${name}IteratorAge`, iteratorAge, {
        panel: 'Stream lag: iterator age (ms)',
        threshold: ALARM_THRESHOLDS.streamIteratorAgeMs,
        evaluationPeriods: 3,
        description: `${name} is more than ${ALARM_THRESHOLDS.streamIteratorAgeMs / 1000} s behind its stream: events reach consumers late.`,
        runbook: 'Alarm: <fn>IteratorAge (outbox publisher)',
      });
    }
    // Consumed queues (those with a DLQ); terminal ones are alarmed with their depth.
    for (const { name, queue, deadLetterQueue } of queues.all()) {
      if (deadLetterQueue) this.oldestMessageAlarm(name, queue, ALARM_THRESHOLDS.consumedQueueAgeSeconds);
    }
  }

  /** Any message in a queue where retries stop, and one left there for a day. */
  private deadLetterAlarms(
    name: string,
    queue: sqs.IQueue,
    { advice, runbook }: { advice: string; runbook: string },
  ): void {
    const visible = queue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
    });
    this.alarm(`${name}Messages`, visible, {
      panel: 'Dead-letter depth (messages waiting for a person)',
      threshold: 0,
      description: `Messages are waiting in ${name}; ${advice}.`,
      runbook,
    });
    this.oldestMessageAlarm(name, queue, ALARM_THRESHOLDS.terminalQueueAgeSeconds);
  }

  private oldestMessageAlarm(name: string, queue: sqs.IQueue, seconds: number): void {
    const age = queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    this.alarm(`${name}OldestMessage`, age, {
      panel: 'Queues: age of the oldest message (s)',
      threshold: seconds,
      evaluationPeriods: 3,
      description: `The oldest message in ${name} is older than ${seconds} s.`,
      runbook: 'Alarm: <queue>OldestMessage',
    });
  }

  private serviceMetricAlarms(): void {
    // A daily period: the alarm reflects the latest reconciliation until the next one reports.
    this.serviceMetricAlarm('reconciliation', RECONCILIATION_DISCREPANCIES_METRIC, Duration.days(1), {
      description:
        'Reconciliation left orders for a person: see reconciliation/<date>/discrepancies.csv in the reports bucket.',
      runbook: 'Alarm: ReconciliationDiscrepancies',
    });
    this.serviceMetricAlarm('recovery', RECOVERY_EXHAUSTED_METRIC, Duration.minutes(5), {
      description: 'Recovery gave up on a payment (FAILURE RECOVERY_EXHAUSTED): check it at the PSP.',
      runbook: 'Alarm: RecoveryExhausted',
    });
    this.serviceMetricAlarm('recovery', RECOVERY_STALLED_METRIC, Duration.minutes(5), {
      description:
        'Recovery cannot reach the PSP for payments it keeps UNKNOWN: check the PSP and its secret.',
      runbook: 'Alarm: RecoveryStalled',
    });
    // An hour: recovery looks at a held intent at most every 30 minutes, and it stays held until a person acts.
    this.serviceMetricAlarm('recovery', CANCEL_INTENT_HELD_METRIC, Duration.hours(1), {
      description:
        'A cancel intent outlived its PSP idempotency key and is not re-sent: settle it at the PSP.',
      runbook: 'Alarm: CancelIntentHeld (recovery)',
    });
    for (const service of ['confirmPayment', 'cancelPayment'] as const) {
      this.serviceMetricAlarm(
        service,
        PSP_UNAVAILABLE_METRIC,
        Duration.minutes(5),
        {
          description: `${service} answered 503 PSP_UNAVAILABLE: the PSP refused our secret key or configuration.`,
          runbook: 'Alarm: PspUnavailable (confirmPayment, cancelPayment)',
        },
        `${service}${PSP_UNAVAILABLE_METRIC}`,
      );
    }
    this.serviceMetricAlarm('completion', LEDGER_WALLET_DIVERGENCE_METRIC, Duration.minutes(5), {
      description:
        'Wallet and ledger applied different amounts for a payment: see the completion function logs.',
      runbook: 'Alarm: LedgerWalletDivergence',
    });
  }

  /** Any value of a custom metric one function emits through Powertools, which adds its `service` dimension. */
  private serviceMetricAlarm(
    service: FunctionName,
    metricName: string,
    period: Duration,
    spec: Omit<AlarmSpec, 'threshold' | 'panel'>,
    id = metricName,
  ): void {
    const metric = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.alarm(id, metric, {
      ...spec,
      threshold: 0,
      panel: 'Needs a person: recovery, reconciliation, PSP key, wallet vs ledger',
    });
  }

  /** Above `threshold` for `evaluationPeriods` periods in a row; no data is no alarm. */
  private alarm(id: string, metric: AlarmMetric, spec: AlarmSpec): void {
    this.panels.set(spec.panel, [...(this.panels.get(spec.panel) ?? []), metric.with({ label: id })]);
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        metric,
        alarmDescription: `${spec.description} Runbook: docs/OPERATIONS.md, "${spec.runbook}".`,
        threshold: spec.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
