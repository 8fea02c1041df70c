import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SettlingConsumer } from '../../ports/completion';
import { cursorKey } from './apply-once';
import { EVENT_SK_PREFIX, PAYMENT_SK, paymentPk } from './keys';
import { queryAll } from './paging';

/** Where one event of a payment got to. */
export interface EventDelivery {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  /** On every subscriber queue (the payment item's published mark). */
  readonly published: boolean;
  /** Applied by each consumer (its per-payment cursor has reached the event). */
  readonly applied: Readonly<Record<SettlingConsumer, boolean>>;
  /** Completion recorded: the latest event once off the `incomplete` index, an earlier one once applied. */
  readonly reported: Readonly<Record<SettlingConsumer, boolean>>;
}

export interface DeliveryTrace {
  /** The payment item as stored. */
  readonly payment: Readonly<Record<string, unknown>>;
  readonly events: readonly EventDelivery[];
}

export interface DeliveryTables {
  readonly payments: string;
  readonly consumers: Readonly<Record<SettlingConsumer, string>>;
}

const CONSUMERS: readonly SettlingConsumer[] = ['wallet', 'ledger'];

/**
 * An operator's view of one payment's event delivery, read strongly consistently: the payment's
 * partition (payment, events) and each consumer's cursor.
 */
export async function traceDelivery(
  client: DynamoDBDocumentClient,
  tables: DeliveryTables,
  orderId: string,
): Promise<DeliveryTrace | undefined> {
  const items = await queryAll(client, {
    TableName: tables.payments,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': paymentPk(orderId) },
    ConsistentRead: true,
  });
  const payment = items.find((i) => i.sk === PAYMENT_SK);
  if (!payment) return undefined;
  const sk = (i: Record<string, unknown>) => String(i.sk);
  const publishedSeq = Number(payment.publishedSeq ?? 0);
  const latestSeq = Number(payment.eventSeq ?? 0);
  const completedUpTo = payment.incompleteShard === undefined ? latestSeq : latestSeq - 1;
  const appliedSeq: Record<string, number> = {};
  for (const consumer of CONSUMERS) {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tables.consumers[consumer],
        Key: cursorKey(orderId),
        ConsistentRead: true,
      }),
    );
    appliedSeq[consumer] = Number(Item?.seq ?? 0);
  }
  const byConsumer = (reached: (consumer: SettlingConsumer) => number, seq: number) =>
    Object.fromEntries(CONSUMERS.map((c) => [c, reached(c) >= seq])) as Record<SettlingConsumer, boolean>;
  const events = items
    .filter((i) => sk(i).startsWith(EVENT_SK_PREFIX))
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((item): EventDelivery => {
      const seq = Number(item.seq);
      return {
        seq,
        type: String(item.type),
        at: String(item.at),
        published: publishedSeq >= seq,
        applied: byConsumer((c) => appliedSeq[c] ?? 0, seq),
        reported: byConsumer((c) => Math.min(completedUpTo, appliedSeq[c] ?? 0), seq),
      };
    });
  return { payment, events };
}
