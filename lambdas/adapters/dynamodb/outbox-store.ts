import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../domain/events';
import type { OutboxEntry, OutboxStore } from '../../ports/outbox';
import {
  eventSk,
  incompleteShardKey,
  orderIdOfPk,
  PAYMENT_SK,
  paymentPk,
  WORK_INDEX_SHARDS,
  WRITER_PUBLISHER,
} from './keys';
import { queryAll, queryUpTo } from './paging';

const INCOMPLETE_INDEX = 'incomplete';

/**
 * The payment item as the stream image or the `incomplete` index entry carries it (the payment item
 * is its own outbox slot): keys, the latest event's seq, what is published.
 */
export function outboxEntryOf(payment: Record<string, unknown>): OutboxEntry {
  return {
    orderId: orderIdOfPk(String(payment.pk)),
    seq: Number(payment.eventSeq ?? 0),
    publishedSeq: Number(payment.publishedSeq ?? 0),
  };
}

export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async eventsBetween(orderId: string, afterSeq: number, uptoSeq: number): Promise<DomainEvent[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': paymentPk(orderId),
        ':from': eventSk(afterSeq + 1),
        ':to': eventSk(uptoSeq),
      },
      ConsistentRead: true,
    });
    return items.map((item) => item.payload as DomainEvent);
  }

  async markPublished(orderId: string, seq: number): Promise<void> {
    // Signed `lastWriter = publisher`, so the publisher's stream filter drops this write's record.
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
          UpdateExpression: 'SET publishedSeq = :seq, lastWriter = :writer',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(publishedSeq) OR publishedSeq < :seq)',
          ExpressionAttributeValues: { ':seq': seq, ':writer': WRITER_PUBLISHER },
        }),
      )
      .catch((error: unknown) => {
        // A later (or the same) seq was recorded already: published never regresses.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  /**
   * Payments whose latest event is not yet published, from the sparse `incomplete` index (a payment
   * stays there until its event is applied everywhere, so it holds every unpublished one), each
   * stale entry's `publishedSeq` read from its payment item (the index leaves it out, so the
   * publisher's mark costs no index write). Cost follows the not-yet-applied backlog, not the table.
   */
  async findUnpublished(before: string, limit: number): Promise<OutboxEntry[]> {
    const stale = await this.findIncomplete(before, limit);
    const latest = await Promise.all(stale.map(({ orderId }) => this.latest(orderId)));
    return latest.filter(
      (entry): entry is OutboxEntry => entry !== undefined && entry.publishedSeq < entry.seq,
    );
  }

  /** Reads the sparse `incomplete` index, shard by shard: cost follows the backlog, not the table. */
  async findIncomplete(before: string, limit: number): Promise<OutboxEntry[]> {
    const shards = Array.from({ length: WORK_INDEX_SHARDS }, (_, shard) => ({
      TableName: this.tableName,
      IndexName: INCOMPLETE_INDEX,
      KeyConditionExpression: 'incompleteShard = :shard AND incompleteSince < :before',
      ExpressionAttributeValues: { ':shard': incompleteShardKey(shard), ':before': before },
    }));
    return (await queryUpTo(this.client, shards, limit)).map(outboxEntryOf);
  }

  async latest(orderId: string): Promise<OutboxEntry | undefined> {
    const { Item: payment } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
        ProjectionExpression: 'pk, eventSeq, publishedSeq',
        ConsistentRead: true,
      }),
    );
    const entry = payment ? outboxEntryOf(payment) : undefined;
    return entry && entry.seq > 0 ? entry : undefined;
  }

  async deferCompletion(orderId: string, seq: number, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
          UpdateExpression: 'SET incompleteSince = :at, lastWriter = :writer',
          ConditionExpression: 'eventSeq = :seq AND attribute_exists(incompleteShard)',
          ExpressionAttributeValues: { ':seq': seq, ':at': at, ':writer': WRITER_PUBLISHER },
        }),
      )
      .catch((error: unknown) => {
        // A newer event restarted the clock, or the payment completed meanwhile: nothing to defer.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}
