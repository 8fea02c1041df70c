import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InternalPayment } from '../../domain/reconciliation';
import type { ReconciliationStore, ReconciliationSummary } from '../../ports/reconciliation-store';
import { approvalDayKey, INDEX_SHARDS, orderHash, PAYMENT_SK, paymentPk } from './keys';
import { queryPages } from './paging';

const APPROVAL_DAY_INDEX = 'approvalDay';
/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 8;

/** Only what classification reads: a compact record per payment. */
const PROJECTION = {
  ProjectionExpression: 'orderId, #status, amount, balanceAmount, paymentKey, cancels',
  ExpressionAttributeNames: { '#status': 'status' },
};

function toInternal(item: Record<string, unknown>): InternalPayment {
  return {
    orderId: String(item.orderId),
    status: item.status as InternalPayment['status'],
    amount: Number(item.amount),
    balanceAmount: Number(item.balanceAmount),
    ...(typeof item.paymentKey === 'string' ? { paymentKey: item.paymentKey } : {}),
    ...(Array.isArray(item.cancels) ? { cancels: item.cancels as InternalPayment['cancels'] } : {}),
  };
}

export function summaryKey(date: string) {
  return { pk: `RECON#${date}`, sk: '#SUMMARY' };
}

/**
 * Reconciliation's reads of the payments table: the sparse approval-day index shard by shard,
 * payments by orderId in batches, and the run summary `RECON#<date> / #SUMMARY` beside them.
 */
export class DynamoDbReconciliationStore implements ReconciliationStore {
  readonly dayShards = INDEX_SHARDS;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  partitionHash(orderId: string): number {
    return orderHash(orderId);
  }

  async *approvedOn(date: string, shard: number): AsyncGenerator<InternalPayment[]> {
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: APPROVAL_DAY_INDEX,
      KeyConditionExpression: 'approvalDayShard = :day',
      ExpressionAttributeValues: { ':day': approvalDayKey(date, shard) },
      ...PROJECTION,
    });
    for await (const page of pages) yield page.map(toInternal);
  }

  async findPayments(orderIds: readonly string[]): Promise<InternalPayment[]> {
    const found: InternalPayment[] = [];
    for (let start = 0; start < orderIds.length; start += BATCH_GET_KEYS) {
      const keys = orderIds
        .slice(start, start + BATCH_GET_KEYS)
        .map((orderId) => ({ pk: paymentPk(orderId), sk: PAYMENT_SK }));
      found.push(...(await this.batchGet(keys)).map(toInternal));
    }
    return found;
  }

  async saveSummary(summary: ReconciliationSummary): Promise<void> {
    // A plain put: re-running a date replaces its summary.
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...summaryKey(summary.date), ...summary } }),
    );
  }

  async completedDays(dates: readonly string[]): Promise<Set<string>> {
    const done = new Set<string>();
    for (let start = 0; start < dates.length; start += BATCH_GET_KEYS) {
      const keys = dates.slice(start, start + BATCH_GET_KEYS).map(summaryKey);
      for (const item of await this.batchGet(keys, {
        ProjectionExpression: '#date',
        ExpressionAttributeNames: { '#date': 'date' },
      })) {
        done.add(String(item.date));
      }
    }
    return done;
  }

  /** One batch, retrying the keys DynamoDB leaves unprocessed under throttling, with backoff. */
  private async batchGet(
    keys: Record<string, unknown>[],
    projection: {
      ProjectionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
    } = PROJECTION,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) throw new Error(`${pending.length} payments stayed unread`);
      if (attempt > 0) await this.sleep(50 * 2 ** attempt);
      const answer = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true, ...projection } },
        }),
      );
      items.push(...(answer.Responses?.[this.tableName] ?? []));
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }
}
