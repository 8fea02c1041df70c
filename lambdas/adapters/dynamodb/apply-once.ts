import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppliedAmount, AppliedAmounts } from '../../ports/completion';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

export type ApplyResult = 'applied' | 'duplicate' | 'gap';

/** Thrown for an event that arrived before its predecessor: the message is retried, never applied early. */
export class EventOutOfOrder extends Error {
  constructor(orderId: string, seq: number) {
    super(`event ${seq} of ${orderId} arrived before event ${seq - 1} was applied`);
    this.name = 'EventOutOfOrder';
  }
}

/** A consumer's per-payment cursor: the seq of the last event of that payment it applied, and `applied`. */
export function cursorKey(orderId: string): { pk: string; sk: string } {
  return { pk: `CURSOR#${orderId}`, sk: '#CURSOR' };
}

/**
 * Exactly-once effect for an event consumer: one transaction advances the payment's cursor only
 * from `seq - 1` and applies the effect. A payment's events carry consecutive seqs and every
 * delivery of one event the same seq, so the cursor alone tells a repeat (already at `seq` or past
 * it: a duplicate) from an event that came early (behind `seq - 1`: a gap); the refused cursor is
 * returned with the cancellation, so telling them apart costs no read (a processed marker per
 * event beside the cursor would cost 2 more WCU per event and consumer, and tell nothing more).
 * The cursor also sums `applied`, the net money the effect moved for the payment's sellers,
 * so the cursor alone tells what this consumer has applied of the payment up to `seq`.
 */
export async function applyOnce(
  client: DynamoDBDocumentClient,
  tableName: string,
  event: { readonly eventId: string; readonly orderId: string; readonly seq: number },
  effect: readonly TransactItem[],
  applied: number,
): Promise<ApplyResult> {
  const cursor: TransactItem = {
    Update: {
      TableName: tableName,
      Key: cursorKey(event.orderId),
      UpdateExpression: 'SET seq = :seq ADD applied :applied',
      ConditionExpression: event.seq === 1 ? 'attribute_not_exists(seq)' : 'seq = :previous',
      ExpressionAttributeValues:
        event.seq === 1
          ? { ':seq': 1, ':applied': applied }
          : { ':seq': event.seq, ':previous': event.seq - 1, ':applied': applied },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  try {
    await client.send(new TransactWriteCommand({ TransactItems: [cursor, ...effect] }));
    return 'applied';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [cursorReason] = error.CancellationReasons ?? [];
    if (cursorReason?.Code !== 'ConditionalCheckFailed') throw error;
    // The refused cursor as it stands (raw attribute values: exceptions are not unmarshalled).
    const at = Number(cursorReason.Item?.seq?.N ?? 0);
    return at >= event.seq ? 'duplicate' : 'gap';
  }
}

/** Reads a consumer's per-payment cursor: its seq and the net amount applied up to it, one item. */
export class DynamoDbAppliedAmounts implements AppliedAmounts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async applied(orderId: string): Promise<AppliedAmount | undefined> {
    const { Item: cursor } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: cursorKey(orderId), ConsistentRead: true }),
    );
    return cursor ? { seq: Number(cursor.seq), amount: Number(cursor.applied ?? 0) } : undefined;
  }
}
