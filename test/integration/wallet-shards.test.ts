/**
 * Opt-in write sharding of a busy seller's wallet (issue 11): credits spread over the seller's
 * shard items, the wallet reads as their sum (with whatever the plain item held before the
 * opt-in), each event still counts once, and the reconciliation total sees every shard.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbWalletStore, parseWalletShards } from '../../lambdas/adapters/dynamodb/wallet-store';
import { DynamoDbWalletTotals } from '../../lambdas/adapters/dynamodb/wallet-totals';
import { documentClient } from '../../lambdas/shared/composition';
import { createTableLike, dropTables, localDynamo } from '../support/events';

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  dynamo = localDynamo();
  doc = documentClient(dynamo);
  table = (await createTableLike(dynamo, 'wallets', 'wallet-shards')).name;
});

afterAll(async () => {
  await dropTables(dynamo, [table]);
  dynamo.destroy();
});

const AT = '2026-01-01T00:00:00.000Z';
const event = (orderId: string) => ({ eventId: `${orderId}:1`, orderId, seq: 1, currency: 'KRW' as const });

describe('sharded wallets', () => {
  it('spreads a busy seller over its shards, sums them with the pre-opt-in balance, and counts each event once', async () => {
    // Before the opt-in: one credit on the plain item.
    const plain = new DynamoDbWalletStore(doc, table);
    expect(await plain.apply(event('before'), [{ sellerId: 'busy', delta: 500 }], AT)).toBe('applied');

    const sharded = new DynamoDbWalletStore(doc, table, parseWalletShards('busy=4'));
    const orders = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const results = await Promise.all(
      orders.map((orderId) =>
        sharded.apply(
          event(orderId),
          [
            { sellerId: 'busy', delta: 100 },
            { sellerId: 'quiet', delta: 7 },
          ],
          AT,
        ),
      ),
    );
    expect(results.every((r) => r === 'applied')).toBe(true);
    // Redelivered: nothing more.
    expect(await sharded.apply(event('order-0'), [{ sellerId: 'busy', delta: 100 }], AT)).toBe('duplicate');

    expect(await sharded.get('busy')).toMatchObject({
      sellerId: 'busy',
      balance: 500 + 40 * 100,
      currency: 'KRW',
    });
    expect(await sharded.get('quiet')).toMatchObject({ balance: 40 * 7 });
    expect(await sharded.get('nobody')).toBeUndefined();

    const scanned = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const stored = (scanned.Items ?? []).filter((item) => item.sk === '#WALLET');
    const busyItems = stored.filter((item) => String(item.pk).startsWith('SELLER#busy'));
    // The plain item plus all four shards took credits; the quiet seller stays one item.
    expect(busyItems.map((item) => item.pk).sort()).toEqual([
      'SELLER#busy',
      'SELLER#busy#0',
      'SELLER#busy#1',
      'SELLER#busy#2',
      'SELLER#busy#3',
    ]);
    expect(stored.filter((item) => String(item.pk).startsWith('SELLER#quiet'))).toHaveLength(1);
    expect(await new DynamoDbWalletTotals(doc, table).totalBalance()).toBe(500 + 40 * 100 + 40 * 7);
  });

  it('refuses a malformed opt-in list rather than guess', () => {
    expect(parseWalletShards(undefined).size).toBe(0);
    expect(parseWalletShards(' a=2, b=8 ')).toEqual(
      new Map([
        ['a', 2],
        ['b', 8],
      ]),
    );
    for (const bad of ['a', 'a=1', 'a=x', '=4', 'a=100'])
      expect(() => parseWalletShards(bad)).toThrow(/WALLET_SHARDS/);
  });
});
