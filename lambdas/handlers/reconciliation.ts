import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import {
  type ReconciliationResult,
  reconciliationUseCase,
  scheduledReconciliationUseCase,
} from '../application/reconciliation';
import { reconciliationMetrics } from '../application/reconciliation-metrics';
import { systemClock } from '../shared/composition';
import { observed } from '../shared/observability';
import { reconciliationDeps } from '../shared/reconciliation-deps';
import { type ReconciliationEvent, reconciliationEventSchema } from '../shared/schemas';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const deps = reconciliationDeps(observability);
const reconcile = reconciliationUseCase(deps);
const scheduled = scheduledReconciliationUseCase(deps);

/**
 * Scheduled daily in Seoul's early morning; also invoked on demand for a date (a dry run while the day
 * is open, refused for a future one). Re-running a date is idempotent.
 */
async function reconciliationHandler(event: ReconciliationEvent, context: Context) {
  const deadline = { remainingMs: () => context.getRemainingTimeInMillis() };
  const { date, time } = event;
  const results = date
    ? [await reconcile(date, deadline)]
    : await scheduled(time ? new Date(time) : systemClock(), deadline);
  for (const result of results) report(result);
  return results.map((result) => result.summary);
}

function report({ summary, reports }: ReconciliationResult): void {
  const details = { ...summary, reports };
  // A day still open is only looked at: its counts would alarm on what the night's run will heal.
  if (summary.dryRun) {
    logger.info('reconciliation dry run: the day is not closed yet, nothing was stored', details);
    return;
  }
  for (const [name, count] of reconciliationMetrics(summary))
    metrics.addMetric(name, MetricUnit.Count, count);
  if (summary.discrepancies > 0 || !summary.ledger.balanced)
    logger.warn('reconciliation needs a person', details);
  else logger.info('reconciliation matched', details);
}

// Powertools' parser validates the event before the handler runs; a malformed one fails the invocation.
export const handler = observed(reconciliationHandler, observability).use(
  parser({ schema: reconciliationEventSchema }),
);
