import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import {
  type ReconciliationResult,
  reconciliationUseCase,
  scheduledReconciliationUseCase,
} from '../application/reconciliation';
import { reconciliationMetrics } from '../application/reconciliation-metrics';
import { reconciliationDeps, systemClock } from '../shared/composition';
import { logger, metrics } from '../shared/observability';

const deps = reconciliationDeps();
const reconcile = reconciliationUseCase(deps);
const scheduled = scheduledReconciliationUseCase(deps);

/**
 * `{ "date": "YYYY-MM-DD" }` reconciles that day; a scheduled event (EventBridge's `time`, the
 * scheduled time) reconciles the day before it and catches up every day left open since the last
 * completed one.
 */
const eventSchema = z.object({ date: z.iso.date().optional(), time: z.iso.datetime().optional() }).loose();

/** Scheduled daily at 00:30 in Seoul; also invoked on demand for any date. Re-running a date is idempotent. */
export async function handler(event: unknown, context: Context) {
  const parsed = eventSchema.safeParse(event ?? {});
  if (!parsed.success) throw new Error(`invalid reconciliation event: ${parsed.error.message}`);
  const deadline = { remainingMs: () => context.getRemainingTimeInMillis() };
  const { date, time } = parsed.data;
  const results = date
    ? [await reconcile(date, deadline)]
    : await scheduled(time ? new Date(time) : systemClock(), deadline);
  for (const result of results) report(result);
  return results.map((result) => result.summary);
}

function report({ summary, reports }: ReconciliationResult): void {
  for (const [name, count] of reconciliationMetrics(summary))
    metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
  const details = { ...summary, reports };
  if (summary.discrepancies > 0 || !summary.ledger.balanced)
    logger.warn('reconciliation needs a person', details);
  else logger.info('reconciliation matched', details);
}
