import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { LEDGER_WALLET_DIVERGENCE_METRIC, recordSettlementUseCase } from '../application/record-settlement';
import { appliedAmounts, paymentStore, systemClock } from '../shared/composition';
import { standardQueueHandler } from '../shared/event-consumer';
import { observed } from '../shared/observability';
import { telemetry } from '../shared/telemetry';

const { logger, metrics } = telemetry();

const reportSchema = z.strictObject({
  consumer: z.enum(['wallet', 'ledger']),
  orderId: z.string(),
  seq: z.int().check(z.positive()),
  eventId: z.string(),
});

const recordSettlement = recordSettlementUseCase({
  log: paymentStore(),
  clock: systemClock,
  wallet: appliedAmounts('WALLETS_TABLE'),
  ledger: appliedAmounts('LEDGER_TABLE'),
});

/** Completion queue (standard; older seqs are ignored) → `walletSettled` / `ledgerRecorded` on the payment, and the per-payment wallet-vs-ledger check. */
export const handler = observed(
  standardQueueHandler(async (record: SQSRecord) => {
    const report = reportSchema.parse(JSON.parse(record.body));
    const outcome = await recordSettlement(report);
    if (outcome.kind !== 'diverged') return;
    logger.error('wallet and ledger applied different amounts for a payment', {
      orderId: report.orderId,
      ...outcome,
    });
    metrics.addMetric(LEDGER_WALLET_DIVERGENCE_METRIC, MetricUnit.Count, 1);
  }),
  { logger, metrics },
);
