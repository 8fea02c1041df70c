import { publishOutboxUseCase, sweepOutboxUseCase } from '../application/publish-outbox';
import { eventPublisher, outboxStore, settings, systemClock } from '../shared/composition';
import { logger } from '../shared/observability';

const outbox = outboxStore();
const sweep = sweepOutboxUseCase({
  outbox,
  publish: publishOutboxUseCase({ outbox, publisher: eventPublisher() }),
  clock: systemClock,
  staleAfterMs: settings.outboxStaleAfterMs,
  batchLimit: 500,
});

/** Scheduled: closes the gap left by an exhausted stream retry or stream retention (24 h). */
export async function handler(): Promise<{ republished: number; failed: number }> {
  const { republished, failures } = await sweep();
  for (const failure of failures) logger.error('republishing failed', { ...failure });
  if (republished > 0) logger.warn('republished stale outbox events', { republished });
  return { republished, failed: failures.length };
}
