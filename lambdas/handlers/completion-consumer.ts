import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { LEDGER_WALLET_DIVERGENCE_METRIC, recordSettlementUseCase } from '../application/record-settlement';
import { appliedAmounts, paymentStore } from '../shared/composition';
import { standardQueueHandler } from '../shared/event-consumer';
import { observed } from '../shared/observability';
import { telemetry } from '../shared/telemetry';

const { logger, metrics } = telemetry();

const reportSchema = v.strictObject({
  consumer: v.picklist(['wallet', 'ledger']),
  orderId: v.string(),
  seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  eventId: v.string(),
});

const recordSettlement = recordSettlementUseCase({
  log: paymentStore(),
  wallet: appliedAmounts('WALLETS_TABLE'),
  ledger: appliedAmounts('LEDGER_TABLE'),
});

/** Completion queue (standard; older seqs are ignored) → `walletSettled` / `ledgerRecorded` on the payment, and the per-payment wallet-vs-ledger check. */
export const handler = observed(
  standardQueueHandler(async (record: SQSRecord) => {
    const report = v.parse(reportSchema, JSON.parse(record.body));
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
