import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { reconciliationUseCase } from '../application/reconciliation';
import { reconciliationMetrics } from '../application/reconciliation-metrics';
import { previousSeoulDay } from '../domain/business-day';
import { systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { reconciliationDeps } from '../shared/reconciliation-deps';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const reconcile = reconciliationUseCase(reconciliationDeps(observability));

/** A scheduled event carries no date (the previous Seoul day is meant); `{ "date": "YYYY-MM-DD" }` picks one. */
const eventSchema = z.looseObject({ date: z.optional(z.iso.date()) });

/** Scheduled daily at 00:30 in Seoul; also invoked on demand for any date. Re-running a date is idempotent. */
async function reconciliationHandler(event: unknown, context: Context) {
  const parsed = eventSchema.safeParse(event ?? {});
  if (!parsed.success) throw new Error(`invalid reconciliation event: ${parsed.error.message}`);
  const date = parsed.data.date ?? previousSeoulDay(systemClock());

  const { summary, reports } = await reconcile(date, {
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  for (const [name, count] of reconciliationMetrics(summary))
    metrics.addMetric(name, MetricUnit.Count, count);
  const details = { ...summary, reports };
  if (summary.discrepancies > 0 || !summary.ledger.balanced)
    logger.warn('reconciliation needs a person', details);
  else logger.info('reconciliation matched', details);
  return summary;
}

export const handler = observed(reconciliationHandler, observability);
