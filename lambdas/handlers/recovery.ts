import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import {
  CANCEL_INTENT_HELD_METRIC,
  RECOVERY_EXHAUSTED_METRIC,
  RECOVERY_STALLED_METRIC,
  recoveryRunUseCase,
} from '../application/recovery';
import { paymentStore, settings, systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { paymentGateway } from '../shared/psp';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const store = paymentStore();
const psp = paymentGateway(observability);

/** Per run: enough for a minute's schedule; the rest waits for the next run. */
const RUN_LIMIT = 200;

/** Scheduled every minute: settles payments stuck in EXECUTING or UNKNOWN. */
async function recoveryHandler(_event: unknown, context: Context) {
  const run = recoveryRunUseCase({
    store,
    psp,
    clock: systemClock,
    random: Math.random,
    policy: settings.recoveryPolicy,
    leaseMs: 30_000,
    owner: context.awsRequestId,
  });
  const report = await run({ remainingMs: () => context.getRemainingTimeInMillis() }, RUN_LIMIT);
  for (const [outcome, count] of Object.entries(report.outcomes)) {
    if (count > 0) metrics.addMetric(`Recovery_${outcome}`, MetricUnit.Count, count);
  }
  // The alarm watches this one: a payment a person has to look at.
  if (report.outcomes.exhausted > 0) {
    metrics.addMetric(RECOVERY_EXHAUSTED_METRIC, MetricUnit.Count, report.outcomes.exhausted);
    logger.error('payments failed with RECOVERY_EXHAUSTED', { count: report.outcomes.exhausted });
  }
  // And this one: payments the PSP could not be asked about for too long (they stay UNKNOWN).
  if (report.outcomes.stalled > 0) {
    metrics.addMetric(RECOVERY_STALLED_METRIC, MetricUnit.Count, report.outcomes.stalled);
    logger.error('recovery cannot reach the PSP for some payments', { count: report.outcomes.stalled });
  }
  // And this one: cancel intents too old to re-send under their PSP key; a person settles them.
  if (report.outcomes.cancelHeld > 0) {
    metrics.addMetric(CANCEL_INTENT_HELD_METRIC, MetricUnit.Count, report.outcomes.cancelHeld);
    logger.error('cancel intents past their PSP key life are held', { orderIds: report.heldCancels });
  }
  return report;
}

export const handler = observed(recoveryHandler, observability);
