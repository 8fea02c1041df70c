import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { PSP_UNAVAILABLE_METRIC } from '../application/outcomes';

/** Structured JSON logs; service name and level come from POWERTOOLS_* variables. */
export const logger = new Logger();

/** CloudWatch metrics in embedded metric format; namespace from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics();

/** Counts a 503 PSP_UNAVAILABLE answer (the PSP refused our key or configuration) for its alarm. */
export function countPspUnavailable(result: APIGatewayProxyResult): APIGatewayProxyResult {
  if (result.statusCode === 503) {
    metrics.addMetric(PSP_UNAVAILABLE_METRIC, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    logger.error('the PSP refused our credentials or configuration: PSP_UNAVAILABLE');
  }
  return result;
}
