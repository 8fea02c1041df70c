import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { reconciliationUseCase } from '../application/reconciliation';
import { reconciliationMetrics } from '../application/reconciliation-metrics';
import { previousSeoulDay } from '../domain/business-day';
import { reconciliationDeps, systemClock } from '../shared/composition';
import { logger, metrics } from '../shared/observability';

const reconcile = reconciliationUseCase(reconciliationDeps());

/** A scheduled event carries no date (the previous Seoul day is meant); `{ "date": "YYYY-MM-DD" }` picks one. */
const eventSchema = z.object({ date: z.iso.date().optional() }).loose();

/** Scheduled daily at 00:30 in Seoul; also invoked on demand for any date. Re-running a date is idempotent. */
export async function handler(event: unknown, context: Context) {
  const parsed = eventSchema.safeParse(event ?? {});
  if (!parsed.success) throw new Error(`invalid reconciliation event: ${parsed.error.message}`);
  const date = parsed.data.date ?? previousSeoulDay(systemClock());

  const { summary, reports } = await reconcile(date, {
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  for (const [name, count] of reconciliationMetrics(summary))
    metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
  const details = { ...summary, reports };
  if (summary.discrepancies > 0 || !summary.ledger.balanced)
    logger.warn('reconciliation needs a person', details);
  else logger.info('reconciliation matched', details);
  return summary;
}
