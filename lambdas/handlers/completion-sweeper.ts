import { republishPaymentUseCase, sweepCompletionUseCase } from '../application/republish-payment';
import { eventPublisher, outboxStore, settings, systemClock } from '../shared/composition';
import { logger } from '../shared/observability';

const outbox = outboxStore();
const sweep = sweepCompletionUseCase({
  outbox,
  republish: republishPaymentUseCase({ outbox, publisher: eventPublisher(), clock: systemClock }),
  clock: systemClock,
  staleAfterMs: settings.completionStaleAfterMs,
  batchLimit: 500,
});

/** Scheduled: republishes payments published but not reported applied by every consumer in time. */
export async function handler(): Promise<{ republished: number; failed: number }> {
  const { republished, failures } = await sweep();
  for (const failure of failures) logger.error('republishing an incomplete payment failed', { ...failure });
  if (republished > 0) logger.warn('republished payments not applied everywhere', { republished });
  return { republished, failed: failures.length };
}
