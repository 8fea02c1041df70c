import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { recordSettlementUseCase } from '../application/record-settlement';
import { paymentStore, systemClock } from '../shared/composition';
import { fifoQueueHandler } from '../shared/event-consumer';
import { observed } from '../shared/observability';
import { telemetry } from '../shared/telemetry';

const reportSchema = z.strictObject({
  consumer: z.enum(['wallet', 'ledger']),
  orderId: z.string(),
  seq: z.int().check(z.positive()),
  eventId: z.string(),
});

const recordSettlement = recordSettlementUseCase({ log: paymentStore(), clock: systemClock });

/** Completion queue (FIFO) → `walletSettled` / `ledgerRecorded` on the payment. */
export const handler = observed(
  fifoQueueHandler(async (record: SQSRecord) => {
    await recordSettlement(reportSchema.parse(JSON.parse(record.body)));
  }),
  telemetry(),
);
