/**
 * Order ids and idempotency keys per caller (DESIGN §3a), on the local stack: the order id is an HMAC
 * of caller and key under a server-side secret, stable past the idempotency record's lifetime, and two
 * callers' equal keys never meet — neither in checkouts nor in cancels.
 */
import { createHash } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { orderIdFor } from '../../lambdas/application/checkout';
import { localDynamo } from '../support/events';
import { api, checkoutBody, newKey, sim } from '../support/http-client';

let dynamo: DynamoDBClient;

beforeAll(() => {
  dynamo = localDynamo();
});

afterAll(() => dynamo?.destroy());

async function checkoutRecordIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const page of paginateScan(
    { client: dynamo },
    { TableName: 'idempotency', ConsistentRead: true },
  )) {
    for (const item of page.Items ?? []) if (item.id?.S?.startsWith('checkout#')) ids.add(item.id.S);
  }
  return ids;
}

const checkout = (key: string, as: 'shop' | 'operator' = 'shop') =>
  api('POST', '/checkouts', { as, body: checkoutBody(), headers: { 'Idempotency-Key': key } });

describe('order ids', () => {
  it('are not a function of the Idempotency-Key alone', async () => {
    const key = newKey('guess');
    const answer = await checkout(key);
    expect(answer.status).toBe(201);
    const { orderId } = answer.json;
    // What an attacker could compute from the key: the old derivation, or the HMAC under a guessable key.
    const keyOnly = `ord_${createHash('sha256').update(`checkout:${key}`).digest('hex').slice(0, 32)}`;
    const guesses = [keyOnly, ...['', 'secret', 'local', key].map((s) => orderIdFor(s, 'shop', key))];
    expect(guesses).not.toContain(orderId);
    expect(orderId).toMatch(/^ord_[0-9a-f]{32}$/);
  });

  it('stay the same for the same caller and key after the idempotency record has expired', async () => {
    const key = newKey('stable');
    const before = await checkoutRecordIds();
    const first = await checkout(key);
    expect(first.status).toBe(201);
    const added = [...(await checkoutRecordIds())].filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    await dynamo.send(
      new DeleteItemCommand({ TableName: 'idempotency', Key: { id: { S: added[0] as string } } }),
    );

    const again = await checkout(key);
    expect({
      status: again.status,
      replayed: again.headers.get('idempotent-replayed'),
      body: again.json,
    }).toEqual({ status: 201, replayed: null, body: first.json });
  });

  it('differ between callers using the same key, and each caller replays its own', async () => {
    const key = newKey('shared');
    const [shop, operator] = [await checkout(key, 'shop'), await checkout(key, 'operator')];
    expect([shop.status, operator.status]).toEqual([201, 201]);
    expect(operator.headers.get('idempotent-replayed')).toBeNull();
    expect(operator.json.orderId).not.toBe(shop.json.orderId);
    const shopAgain = await checkout(key, 'shop');
    expect({ replayed: shopAgain.headers.get('idempotent-replayed'), text: shopAgain.text }).toEqual({
      replayed: 'true',
      text: shop.text,
    });
  });
});

describe('cancel keys', () => {
  it('of two callers are two cancels at the PSP; a repeat by one caller is its own replay', async () => {
    const order = await checkout(newKey('cancel'));
    const { orderId, amount } = order.json;
    const paymentKey = await sim.session(orderId, amount);
    expect((await api('POST', '/payments/confirm', { body: { orderId, amount, paymentKey } })).status).toBe(
      200,
    );

    const key = newKey('refund');
    const cancel = (as: 'shop' | 'operator') =>
      api('POST', `/payments/${orderId}/cancel`, {
        as,
        body: { cancelReason: 'partial refund', cancelAmount: 1_000 },
        headers: { 'Idempotency-Key': key },
      });
    const byShop = await cancel('shop');
    const byOperator = await cancel('operator');
    const shopRepeat = await cancel('shop');
    expect([byShop, byOperator].map((a) => [a.status, a.json.balanceAmount])).toEqual([
      [200, amount - 1_000],
      [200, amount - 2_000],
    ]);
    expect({ replayed: shopRepeat.headers.get('idempotent-replayed'), text: shopRepeat.text }).toEqual({
      replayed: 'true',
      text: byShop.text,
    });
    const truth = await sim.truth(orderId);
    expect({ balance: truth.balanceAmount, cancels: truth.cancelCalls }).toEqual({
      balance: amount - 2_000,
      cancels: 2,
    });
  });
});
