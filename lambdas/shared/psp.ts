import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { TossPaymentGateway } from '../adapters/toss/toss-gateway';
import { PSP_UNAVAILABLE_METRIC } from '../application/outcomes';
import type { PaymentGateway, SettlementGateway } from '../ports/psp';
import { optionalNumberEnv, requiredEnv } from './composition';
import { secretIsSet, secretValue } from './secrets';
import type { Telemetry } from './telemetry';

/** The composition of the PSP (Toss) gateway, for the functions that call it. */

/** The PSP's secret key (the deployed secret starts empty until an operator sets it). */
function pspSecretKey(): Promise<string> {
  return secretValue('PSP_SECRET_ARN', 'PSP_SECRET_KEY', 300);
}

/**
 * Whether a PSP secret key is set (the deployed secret starts empty), from the secret's metadata:
 * the public health function may not read the value. Unknown (Secrets Manager unreachable) counts as not set.
 */
export async function pspConfigured(): Promise<boolean> {
  try {
    return await secretIsSet('PSP_SECRET_ARN', 'PSP_SECRET_KEY', 60);
  } catch {
    return false;
  }
}

/** PSP calls log their retries on the function's logger and report each attempt's latency as a metric. */
export function paymentGateway({ logger, metrics }: Telemetry): PaymentGateway & SettlementGateway {
  return new TossPaymentGateway({
    baseUrl: requiredEnv('PSP_BASE_URL'),
    secretKey: pspSecretKey,
    requestTimeoutMs: optionalNumberEnv('PSP_REQUEST_TIMEOUT_MS'),
    retryBudgetMs: optionalNumberEnv('PSP_RETRY_BUDGET_MS'),
    logger,
    onAttempt: ({ operation, ms }) =>
      metrics.addMetric(`PspLatency_${operation}`, MetricUnit.Milliseconds, ms),
  });
}

/** Counts a 503 PSP_UNAVAILABLE answer (the PSP refused our key or configuration) for its alarm. */
export function countPspUnavailable(
  { logger, metrics }: Telemetry,
  result: APIGatewayProxyResult,
): APIGatewayProxyResult {
  if (result.statusCode === 503) {
    metrics.addMetric(PSP_UNAVAILABLE_METRIC, MetricUnit.Count, 1);
    logger.error('the PSP refused our credentials or configuration: PSP_UNAVAILABLE');
  }
  return result;
}
