import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../domain/events';
import type { OutboxEntry, OutboxStore } from '../../ports/outbox';
import { eventSk, INDEX_SHARDS, OUTBOX_SK, OUTBOX_WRITER_PUBLISHER, paymentPk } from './keys';

const UNPUBLISHED_INDEX = 'unpublished';

export function outboxEntryOf(slot: Record<string, unknown>): OutboxEntry {
  return { event: slot.payload as DomainEvent, publishedSeq: Number(slot.publishedSeq ?? 0) };
}

export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async eventsBetween(orderId: string, afterSeq: number, uptoSeq: number): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': paymentPk(orderId),
            ':from': eventSk(afterSeq + 1),
            ':to': eventSk(uptoSeq),
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      events.push(...(page.Items ?? []).map((item) => item.payload as DomainEvent));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  async markPublished(orderId: string, seq: number): Promise<void> {
    const key = { pk: paymentPk(orderId), sk: OUTBOX_SK };
    const notRegressing = 'attribute_not_exists(publishedSeq) OR publishedSeq < :seq';
    try {
      // The slot still holds this event: clear the unpublished mark too. Either write is
      // signed `lastWriter = publisher`, so the publisher's stream filter drops its record.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression:
            'SET publishedSeq = :seq, lastWriter = :writer REMOVE unpublishedShard, unpublishedSince',
          ConditionExpression: `seq = :seq AND (${notRegressing})`,
          ExpressionAttributeValues: { ':seq': seq, ':writer': OUTBOX_WRITER_PUBLISHER },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A newer event is already in the slot (it stays marked), or this one was recorded.
      await this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET publishedSeq = :seq, lastWriter = :writer',
            ConditionExpression: notRegressing,
            ExpressionAttributeValues: { ':seq': seq, ':writer': OUTBOX_WRITER_PUBLISHER },
          }),
        )
        .catch((e: unknown) => {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
        });
    }
  }

  /** Reads the sparse `unpublished` index, shard by shard: cost follows the backlog, not the table. */
  async findUnpublished(before: string, limit: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (let shard = 0; shard < INDEX_SHARDS && entries.length < limit; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: UNPUBLISHED_INDEX,
            KeyConditionExpression: 'unpublishedShard = :shard AND unpublishedSince < :before',
            ExpressionAttributeValues: { ':shard': `OUTBOX#${shard}`, ':before': before },
            Limit: limit - entries.length,
            ExclusiveStartKey: startKey,
          }),
        );
        entries.push(...(page.Items ?? []).map(outboxEntryOf));
        startKey = entries.length < limit ? page.LastEvaluatedKey : undefined;
      } while (startKey);
    }
    return entries;
  }
}
