import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DomainEvent } from '../../domain/events';
import type { EventPublisher } from '../../ports/outbox';
import { orderHash } from '../dynamodb/keys';

const SQS_BATCH_LIMIT = 10;

/** Thrown when SQS refused any entry of a batch: the caller retries, FIFO dedup absorbs the repeats. */
export class PublishFailed extends Error {
  constructor(queueUrl: string, failed: readonly { Id?: string; Code?: string }[]) {
    super(`${failed.length} message(s) refused by ${queueUrl}: ${failed.map((f) => f.Code).join(', ')}`);
    this.name = 'PublishFailed';
  }
}

/** A subscriber's queue: one URL, or its shards' URLs in shard order (a payment goes to one of them). */
export type SubscriberQueue = string | readonly string[];

/** The shard of `orderId` among `shards`: a stable hash, so every event of a payment takes the same queue. */
export function queueShardOf(orderId: string, shards: number): number {
  return orderHash(orderId) % shards;
}

/**
 * Sends events to every subscriber FIFO queue (to the shard of each event's orderId when the
 * subscriber's queue is sharded): group = orderId keeps a payment's events in order, deduplication
 * id = eventId makes a repeat within five minutes a no-op. A redelivery gets its own deduplication
 * ids, so SQS delivers it even within those five minutes.
 */
export class SqsEventPublisher implements EventPublisher {
  private readonly subscribers: readonly (readonly string[])[];

  constructor(
    private readonly client: SQSClient,
    subscribers: readonly SubscriberQueue[],
  ) {
    this.subscribers = subscribers.map((queue) => (typeof queue === 'string' ? [queue] : queue));
  }

  /** Every queue at once (each queue's batches in order): a publish takes one SQS round trip, not one per queue. */
  async publish(events: readonly DomainEvent[], redelivery?: string): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const shards of this.subscribers) {
      const byShard = new Map<string, DomainEvent[]>();
      for (const event of events) {
        const url = shards[queueShardOf(event.orderId, shards.length)] as string;
        byShard.set(url, [...(byShard.get(url) ?? []), event]);
      }
      for (const [queueUrl, shardEvents] of byShard)
        sends.push(this.publishTo(queueUrl, shardEvents, redelivery));
    }
    await Promise.all(sends);
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
