import { topology } from '../lib/topology';
import type { BundleSection } from './bundle-report';
import type { DynamoDbCostSection } from './dynamodb-cost';
import type { OutboxLagSection } from './outbox-lag';
import { type CostBreakdown, LIFE_WRU_2_LINES_BEFORE, type PaymentCostSection } from './payment-cost';
import type { ReconciliationSection } from './reconciliation';
import { isFailed, type Section } from './report';
import { round } from './stats';
import type { ThroughputModel } from './throughput-model';

/**
 * The figures issue 11 is judged by, all from this run (null where the section failed). Bundle
 * ratios cover the functions that serve a request or a queue/stream record: the scheduled batch
 * functions (recovery, outbox sweeper, reconciliation) are listed in `bundles` but left out here.
 */
export interface BenchSummary {
  readonly maxBundleRatio: number | null;
  readonly maxInitRatio: number | null;
  readonly confirmRequests: number | null;
  readonly confirmWcu2Lines: number | null;
  readonly confirmWcu50Lines: number | null;
  readonly reconciliation1MRowsPerSecond: number | null;
  readonly reconciliation1MPeakRssMb: number | null;
  readonly outboxLagP99Ms: number | null;
  readonly ceilingPaymentsPerSecond: number | null;
  /** USD per million payments' lives at us-east-1 list prices (bench/payment-cost.ts), and by service. */
  readonly costPerMillionPaymentsUsd: number | null;
  readonly costPerMillionPaymentsByService: CostBreakdown | null;
  readonly costPerMillionCancelsUsd: number | null;
  /** WCU of a 2-line payment's whole life, and the same before this change (a dated constant). */
  readonly lifeWru2Lines: number | null;
  readonly lifeWru2LinesBefore: number;
}

/** HTTP, queue and stream functions: what serves traffic, as opposed to scheduled batches. */
export function servingFunctions(): Set<string> {
  return new Set(
    Object.entries(topology.functions)
      .filter(([, spec]) => spec.triggers.some((trigger) => trigger.kind !== 'schedule'))
      .map(([name]) => name),
  );
}

function maxRatio(bundles: Section<BundleSection>, ratio: 'bytesRatio' | 'initRatio'): number | null {
  if (isFailed(bundles)) return null;
  const serving = servingFunctions();
  const ratios = Object.entries(bundles.functions)
    .filter(([name]) => serving.has(name))
    .map(([, figures]) => figures.vsBaseline[ratio]);
  return ratios.length > 0 ? round(Math.max(...ratios)) : null;
}

export function benchSummary(parts: {
  readonly bundles: Section<BundleSection>;
  readonly dynamodbPerConfirm: Section<DynamoDbCostSection>;
  readonly outboxLag: Section<OutboxLagSection>;
  readonly reconciliation: Section<ReconciliationSection>;
  readonly throughputModel: ThroughputModel;
  readonly paymentCost: Section<PaymentCostSection>;
}): BenchSummary {
  const cost = parts.dynamodbPerConfirm;
  const bySize = (lines: number) =>
    isFailed(cost) ? undefined : cost.byOrderSize.find((size) => size.lines === lines)?.firstConfirm;
  const recon = parts.reconciliation;
  const lag = parts.outboxLag;
  const life = parts.paymentCost;
  return {
    maxBundleRatio: maxRatio(parts.bundles, 'bytesRatio'),
    maxInitRatio: maxRatio(parts.bundles, 'initRatio'),
    confirmRequests: bySize(2)?.requestsPerConfirm.total ?? null,
    confirmWcu2Lines: bySize(2)?.awsModelWcu ?? null,
    confirmWcu50Lines: bySize(50)?.awsModelWcu ?? null,
    reconciliation1MRowsPerSecond: isFailed(recon) ? null : recon.rowsPerSecond,
    reconciliation1MPeakRssMb: isFailed(recon) ? null : recon.peakRssMb,
    outboxLagP99Ms: isFailed(lag) ? null : lag.commitToPublishedMs.p99,
    ceilingPaymentsPerSecond: parts.throughputModel.ceilingPaymentsPerSecond,
    costPerMillionPaymentsUsd: isFailed(life) ? null : life.perMillionPayments.total,
    costPerMillionPaymentsByService: isFailed(life) ? null : life.perMillionPayments,
    costPerMillionCancelsUsd: isFailed(life) ? null : life.perMillionCancels.total,
    lifeWru2Lines: isFailed(life) ? null : life.lifeWru2Lines,
    lifeWru2LinesBefore: LIFE_WRU_2_LINES_BEFORE,
  };
}
