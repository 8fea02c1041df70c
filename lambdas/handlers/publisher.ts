import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxEntryOf } from '../adapters/dynamodb/outbox-store';
import { publishOutboxUseCase } from '../application/publish-outbox';
import { outboxStore } from '../shared/composition';
import { observed } from '../shared/observability';
import { eventPublisher } from '../shared/queues';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger } = observability;

const publish = publishOutboxUseCase({ outbox: outboxStore(), publisher: eventPublisher() });

/**
 * Payment-item stream records that carry a new event (the filter admits nothing else), one at a time in
 * stream order. At the first failure it stops and reports that record: the stream
 * resumes from it, so no later event of any payment overtakes it.
 */
async function publishHandler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    try {
      const slot = unmarshall((record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>);
      await publish(outboxEntryOf(slot));
    } catch (error) {
      logger.error('publishing an outbox record failed', { sequenceNumber, error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = observed(publishHandler, observability);
