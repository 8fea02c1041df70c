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
    ...pspCallLimits(),
    logger,
    onAttempt: ({ operation, ms }) =>
      metrics.addMetric(`PspLatency_${operation}`, MetricUnit.Milliseconds, ms),
  });
}

/**
 * The PSP calls' time limits: the payment calls' (confirm, cancel, lookup) and the settlement
 * pages' apart, since Toss may take up to 60 s for a page (the gateway refuses less than that).
 */
export function pspCallLimits() {
  return {
    requestTimeoutMs: optionalNumberEnv('PSP_REQUEST_TIMEOUT_MS'),
    retryBudgetMs: optionalNumberEnv('PSP_RETRY_BUDGET_MS'),
    settlementTimeoutMs: optionalNumberEnv('PSP_SETTLEMENT_TIMEOUT_MS'),
    settlementRetryBudgetMs: optionalNumberEnv('PSP_SETTLEMENT_RETRY_BUDGET_MS'),
  };
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
