import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../domain/events';
import type { OutboxEntry, OutboxStore } from '../../ports/outbox';
import { eventSk, INDEX_SHARDS, OUTBOX_SK, OUTBOX_WRITER_PUBLISHER, orderIdOfPk, paymentPk } from './keys';
import { queryAll, queryUpTo } from './paging';

const UNPUBLISHED_INDEX = 'unpublished';
const INCOMPLETE_INDEX = 'incomplete';

/** The slot as the stream image or the `unpublished` index entry carries it: keys, seq, progress. */
export function outboxEntryOf(slot: Record<string, unknown>): OutboxEntry {
  return {
    orderId: orderIdOfPk(String(slot.pk)),
    seq: Number(slot.seq),
    publishedSeq: Number(slot.publishedSeq ?? 0),
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
  findUnpublished(before: string, limit: number): Promise<OutboxEntry[]> {
    return this.findStale(UNPUBLISHED_INDEX, 'unpublished', 'OUTBOX', before, limit);
  }

  /** Reads the sparse `incomplete` index, shard by shard: cost follows the backlog, not the table. */
  findIncomplete(before: string, limit: number): Promise<OutboxEntry[]> {
    return this.findStale(INCOMPLETE_INDEX, 'incomplete', 'COMPLETION', before, limit);
  }

  async latest(orderId: string): Promise<OutboxEntry | undefined> {
    const { Item: slot } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: paymentPk(orderId), sk: OUTBOX_SK },
        ConsistentRead: true,
      }),
    );
    return slot ? outboxEntryOf(slot) : undefined;
  }

  async deferCompletion(orderId: string, seq: number, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: OUTBOX_SK },
          UpdateExpression: 'SET incompleteSince = :at, lastWriter = :writer',
          ConditionExpression: 'seq = :seq AND attribute_exists(incompleteShard)',
          ExpressionAttributeValues: { ':seq': seq, ':at': at, ':writer': OUTBOX_WRITER_PUBLISHER },
        }),
      )
      .catch((error: unknown) => {
        // A newer event restarted the clock, or the payment completed meanwhile: nothing to defer.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  private async findStale(
    indexName: string,
    attribute: 'unpublished' | 'incomplete',
    shardPrefix: string,
    before: string,
    limit: number,
  ): Promise<OutboxEntry[]> {
    const shards = Array.from({ length: INDEX_SHARDS }, (_, shard) => ({
      TableName: this.tableName,
      IndexName: indexName,
      KeyConditionExpression: `${attribute}Shard = :shard AND ${attribute}Since < :before`,
      ExpressionAttributeValues: { ':shard': `${shardPrefix}#${shard}`, ':before': before },
    }));
    return (await queryUpTo(this.client, shards, limit)).map(outboxEntryOf);
  }
}
