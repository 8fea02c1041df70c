import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DomainEvent } from '../../domain/events';
import type { EventPublisher } from '../../ports/outbox';

const SQS_BATCH_LIMIT = 10;

/** Thrown when SQS refused any entry of a batch: the caller retries, FIFO dedup absorbs the repeats. */
export class PublishFailed extends Error {
  constructor(queueUrl: string, failed: readonly { Id?: string; Code?: string }[]) {
    super(`${failed.length} message(s) refused by ${queueUrl}: ${failed.map((f) => f.Code).join(', ')}`);
    this.name = 'PublishFailed';
  }
}

/**
 * Sends events to every subscriber FIFO queue: group = orderId keeps a payment's events in
 * order, deduplication id = eventId makes a repeat within five minutes a no-op. A redelivery
 * gets its own deduplication ids, so SQS delivers it even within those five minutes.
 */
export class SqsEventPublisher implements EventPublisher {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrls: readonly string[],
  ) {}

  /** Every queue at once (each queue's batches in order): a publish takes one SQS round trip, not one per queue. */
  async publish(events: readonly DomainEvent[], redelivery?: string): Promise<void> {
    await Promise.all(this.queueUrls.map((queueUrl) => this.publishTo(queueUrl, events, redelivery)));
  }

  private async publishTo(
    queueUrl: string,
    events: readonly DomainEvent[],
    redelivery?: string,
  ): Promise<void> {
    for (let i = 0; i < events.length; i += SQS_BATCH_LIMIT) {
      const chunk = events.slice(i, i + SQS_BATCH_LIMIT);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
            MessageGroupId: event.orderId,
            MessageDeduplicationId: redelivery ? `${event.eventId}:${redelivery}` : event.eventId,
          })),
        }),
      );
      if (result.Failed?.length) throw new PublishFailed(queueUrl, result.Failed);
    }
  }
}
