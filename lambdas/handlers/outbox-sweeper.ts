import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { publishOutboxUseCase, sweepOutboxUseCase } from '../application/publish-outbox';
import { outboxStore, settings, systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { eventPublisher } from '../shared/queues';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const outbox = outboxStore();
const sweep = sweepOutboxUseCase({
  outbox,
  publish: publishOutboxUseCase({ outbox, publisher: eventPublisher() }),
  clock: systemClock,
  staleAfterMs: settings.outboxStaleAfterMs,
  batchLimit: 500,
});

/** Scheduled: closes the gap left by an exhausted stream retry or stream retention (24 h). */
async function sweepHandler(): Promise<{ republished: number; failed: number }> {
  const { republished, failures } = await sweep();
  for (const failure of failures) logger.error('republishing failed', { ...failure });
  if (republished > 0) {
    logger.warn('republished stale outbox events', { republished });
    metrics.addMetric('OutboxRepublished', MetricUnit.Count, republished);
  }
  return { republished, failed: failures.length };
}

export const handler = observed(sweepHandler, observability);
