import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import {
  type ReconciliationResult,
  reconciliationUseCase,
  scheduledReconciliationUseCase,
} from '../application/reconciliation';
import { reconciliationMetrics } from '../application/reconciliation-metrics';
import { systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { reconciliationDeps } from '../shared/reconciliation-deps';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const deps = reconciliationDeps(observability);
const reconcile = reconciliationUseCase(deps);
const scheduled = scheduledReconciliationUseCase(deps);

/**
 * `{ "date": "YYYY-MM-DD" }` reconciles that day; a scheduled event (EventBridge's `time`, the
 * scheduled time) reconciles the day before it and catches up every day left open since the last
 * completed one.
 */
const eventSchema = z.looseObject({ date: z.optional(z.iso.date()), time: z.optional(z.iso.datetime()) });

/** Scheduled daily at 00:30 in Seoul; also invoked on demand for any date. Re-running a date is idempotent. */
async function reconciliationHandler(event: unknown, context: Context) {
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
  const details = { ...summary, reports };
  if (summary.discrepancies > 0 || !summary.ledger.balanced)
    logger.warn('reconciliation needs a person', details);
  else logger.info('reconciliation matched', details);
}

export const handler = observed(reconciliationHandler, observability);
