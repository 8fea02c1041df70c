/**
 * What the confirm route leaves in the payments table (DESIGN §4, §5), read straight from
 * DynamoDB Local after driving the API over HTTP: the sparse recovery keys exist exactly
 * while a payment's outcome is unknown, and a success commits the payment, its immutable
 * event and the outbox slot together.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createOrder, getPayment, postConfirm, sim } from '../support/http-client';

const PAYMENTS_TABLE = 'payments';
/** A PSP timeout costs one 10 s request timeout before the confirm answers 202. */
const SLOW_TEST_MS = 60_000;

let documents: DynamoDBDocumentClient;

beforeAll(() => {
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(() => documents?.destroy());

async function paymentItem(orderId: string): Promise<Record<string, unknown> | undefined> {
  const answer = await documents.send(
    new GetCommand({
      TableName: PAYMENTS_TABLE,
      Key: { pk: `PAYMENT#${orderId}`, sk: '#PAYMENT' },
      ConsistentRead: true,
    }),
  );
  return answer.Item;
}

async function allItems(orderId: string): Promise<Record<string, unknown>[]> {
  const answer = await documents.send(
    new QueryCommand({
      TableName: PAYMENTS_TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `PAYMENT#${orderId}` },
      ConsistentRead: true,
    }),
  );
  return answer.Items ?? [];
}

describe('payment items in DynamoDB', () => {
  it(
    'an UNKNOWN outcome (PSP timeout) keeps the payment on the recovery index: recoveryShard and recoveryDueAt',
    async () => {
      const order = await createOrder();
      const paymentKey = await sim.session(order.orderId, order.amount);
      await sim.scenario(order.orderId, ['timeout', 'timeout', 'timeout', 'timeout']);
      const startedAt = Date.now();

      const answer = await postConfirm({ ...order, paymentKey });
      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ status: 'UNKNOWN' });

      const item = await paymentItem(order.orderId);
      expect(item).toMatchObject({
        orderId: order.orderId,
        status: 'UNKNOWN',
        paymentKey,
        recoveryShard: expect.stringMatching(/^RECOVERY#\d+$/),
        recoveryDueAt: expect.any(String),
      });
      // Due in the future, so recovery looks at it later rather than never.
      expect(Date.parse(String(item?.recoveryDueAt))).toBeGreaterThan(startedAt);
      // No event for an unknown outcome: nothing is published until it is known.
      expect((await allItems(order.orderId)).map((i) => i.sk)).toEqual(['#PAYMENT']);
      expect((await getPayment(order.orderId)).json.status).toBe('UNKNOWN');
    },
    SLOW_TEST_MS,
  );

  it('a success drops the recovery keys and commits the event item with it; no separate outbox item', async () => {
    const order = await createOrder();
    const paymentKey = await sim.session(order.orderId, order.amount);
    const answer = await postConfirm({ ...order, paymentKey });
    expect(answer.status).toBe(200);

    const items = await allItems(order.orderId);
    const bySk = new Map(items.map((item) => [String(item.sk), item]));
    const payment = bySk.get('#PAYMENT');
    expect(payment).toMatchObject({
      status: 'SUCCESS',
      paymentKey,
      eventSeq: 1,
      approvalDayShard: expect.stringMatching(/^DAY#\d{4}-\d{2}-\d{2}#\d+$/),
    });
    expect(payment).not.toHaveProperty('recoveryShard');
    expect(payment).not.toHaveProperty('recoveryDueAt');
    expect(bySk.get('EVENT#0000000001')).toMatchObject({
      eventId: `${order.orderId}:1`,
      type: 'PaymentConfirmed',
      seq: 1,
    });
    // The payment item is its own outbox slot: there is no other item to point at the event.
    expect([...bySk.keys()].filter((sk) => !sk.startsWith('EVENT#') && !sk.startsWith('#SETTLED#'))).toEqual([
      '#PAYMENT',
    ]);
  });
});
