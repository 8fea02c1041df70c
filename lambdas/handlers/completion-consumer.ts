import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { recordSettlementUseCase } from '../application/record-settlement';
import { paymentStore, systemClock } from '../shared/composition';
import { fifoQueueHandler } from '../shared/event-consumer';
import { logger } from '../shared/observability';

const reportSchema = z.strictObject({
  consumer: z.enum(['wallet', 'ledger']),
  orderId: z.string(),
  seq: z.number().int().positive(),
  eventId: z.string(),
});

const recordSettlement = recordSettlementUseCase({ log: paymentStore(), clock: systemClock });

/** Completion queue (FIFO) → `walletSettled` / `ledgerRecorded` on the payment. */
export const handler = fifoQueueHandler(async (record: SQSRecord) => {
  await recordSettlement(reportSchema.parse(JSON.parse(record.body)));
}, logger);
