import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RECONCILIATION_DISCREPANCIES_METRIC } from '../../lambdas/application/reconciliation-metrics';
import type { FunctionName } from '../topology';
import type { Alarms } from './alarms';
import { type Functions, METRICS_NAMESPACE } from './functions';

export interface OperationsDashboardProps {
  readonly api: apigateway.RestApi;
  readonly functions: Functions;
  /** Every alarm's state, and one panel per alarm group graphing the alarms' metrics. */
  readonly alarms: Alarms;
}

const PERIOD = Duration.minutes(5);
const WIDTH = 12;

/**
 * Every business metric one function emits (Powertools adds the `service` dimension), found by a
 * CloudWatch SEARCH so metrics the function adds later appear without changing the dashboard.
 */
function serviceMetrics(
  service: FunctionName,
  statistic: string,
  extraDimension?: string,
): cloudwatch.IMetric {
  const schema = ['{', [METRICS_NAMESPACE, 'service', extraDimension].filter(Boolean).join(','), '}'].join(
    '',
  );
  return new cloudwatch.MathExpression({
    expression: `SEARCH('${schema} service="${service}"', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
  });
}

/**
 * One CloudWatch dashboard for the on-call person: confirm outcomes, latency, outbox lag, dead-letter
 * depth, recovery backlog, reconciliation discrepancies, and the state of every alarm.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { api, functions } = props;
    const fn = (name: FunctionName) => functions.get(name);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms.alarms], width: 24 }),
      new cloudwatch.GraphWidget({
        title: 'Confirm outcomes (by HTTP status) and API errors',
        width: WIDTH,
        left: [serviceMetrics('confirmPayment', 'Sum', 'status')],
        right: [
          api.metricClientError({ period: PERIOD, label: 'API 4xx' }),
          api.metricServerError({ period: PERIOD, label: 'API 5xx' }),
          fn('confirmPayment').metricErrors({ period: PERIOD, label: 'confirm function errors' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        width: WIDTH,
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'API p99' }),
          api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'API p50' }),
          fn('confirmPayment').metricDuration({ period: PERIOD, statistic: 'p99', label: 'confirm p99' }),
        ],
        right: [serviceMetrics('confirmPayment', 'Average')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Outbox lag: stream iterator age (ms) and sweeper republishing',
        width: WIDTH,
        left: [
          fn('publisher').metric('IteratorAge', {
            period: PERIOD,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'publisher iterator age (max)',
          }),
        ],
        right: [
          serviceMetrics('outboxSweeper', 'Sum'),
          fn('outboxSweeper').metricErrors({ period: PERIOD, label: 'sweeper errors' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Recovery backlog: payments examined and settled per outcome',
        width: WIDTH,
        left: [serviceMetrics('recovery', 'Sum')],
        right: [fn('recovery').metricErrors({ period: PERIOD, label: 'recovery errors' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Reconciliation: discrepancies left for a person (daily)',
        width: WIDTH,
        left: [
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: RECONCILIATION_DISCREPANCIES_METRIC,
            dimensionsMap: { service: 'reconciliation' },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.days(1),
            label: 'discrepancies',
          }),
        ],
        right: [serviceMetrics('reconciliation', 'Maximum')],
      }),
    );
    for (const [title, metrics] of props.alarms.panels)
      this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title, width: WIDTH, left: metrics }));
  }
}
