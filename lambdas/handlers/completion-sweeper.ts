import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { republishPaymentUseCase, sweepCompletionUseCase } from '../application/republish-payment';
import { outboxStore, settings, systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { eventPublisher } from '../shared/queues';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const outbox = outboxStore();
const sweep = sweepCompletionUseCase({
  outbox,
  republish: republishPaymentUseCase({ outbox, publisher: eventPublisher(), clock: systemClock }),
  clock: systemClock,
  staleAfterMs: settings.completionStaleAfterMs,
  batchLimit: 500,
});

/** Scheduled: republishes payments published but not reported applied by every consumer in time. */
async function completionSweepHandler(): Promise<{ republished: number; failed: number }> {
  const { republished, failures } = await sweep();
  for (const failure of failures) logger.error('republishing an incomplete payment failed', { ...failure });
  if (republished > 0) {
    logger.warn('republished payments not applied everywhere', { republished });
    metrics.addMetric('CompletionRepublished', MetricUnit.Count, republished);
  }
  return { republished, failed: failures.length };
}

export const handler = observed(completionSweepHandler, observability);
