import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sumAmounts } from '../../domain/money';
import type { BalanceDelta } from '../../domain/wallet';
import type { Wallet, WalletEvent, WalletStore } from '../../ports/wallet-store';
import { applyOnce } from './apply-once';
import { orderHash } from './keys';

/**
 * Wallets table: `SELLER#<sellerId> / #WALLET` per seller, beside applyOnce's markers and cursors.
 * A busy seller opted into sharding is credited on `SELLER#<sellerId>#<shard> / #WALLET` (shard from
 * the eventId), so no single item takes all its credits; reading the wallet sums the plain item
 * (its balance from before the opt-in) and every shard.
 */
const WALLET_SK = '#WALLET';
const MAX_WALLET_SHARDS = 99;

function walletKey(sellerId: string, shard?: number) {
  return { pk: shard === undefined ? `SELLER#${sellerId}` : `SELLER#${sellerId}#${shard}`, sk: WALLET_SK };
}

/** Sellers opted into sharded wallets and their shard counts. */
export type WalletShards = ReadonlyMap<string, number>;

/** `seller-a=8,seller-b=4` (WALLET_SHARDS); empty when unset. Refuses anything else, loudly. */
export function parseWalletShards(text: string | undefined): WalletShards {
  const shards = new Map<string, number>();
  for (const entry of (text ?? '').split(',').filter((e) => e.trim() !== '')) {
    const [sellerId, count] = entry.split('=').map((part) => part.trim());
    const n = Number(count);
    if (!sellerId || !Number.isInteger(n) || n < 2 || n > MAX_WALLET_SHARDS) {
      throw new Error(`WALLET_SHARDS entry "${entry}": want <sellerId>=<2..${MAX_WALLET_SHARDS}>`);
    }
    shards.set(sellerId, n);
  }
  return shards;
}

export class DynamoDbWalletStore implements WalletStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards: WalletShards = new Map(),
  ) {}

  apply(
    event: WalletEvent,
    deltas: readonly BalanceDelta[],
    at: string,
  ): Promise<'applied' | 'duplicate' | 'gap'> {
    // ADD is atomic and commutative: payments crediting one seller concurrently need no read or
    // version check, and the marker + cursor make each event count once; `version` counts the
    // changes. A wallet never mixes currencies: a mismatch cancels the transaction, so the
    // message ends in the DLQ for a person to look at.
    const effect = deltas.map(({ sellerId, delta }) => ({
      Update: {
        TableName: this.tableName,
        Key: this.creditedKey(sellerId, event.eventId),
        UpdateExpression:
          'ADD balance :delta, version :one SET currency = :currency, updatedAt = :at, sellerId = :sellerId',
        ConditionExpression: 'attribute_not_exists(currency) OR currency = :currency',
        ExpressionAttributeValues: {
          ':delta': delta,
          ':one': 1,
          ':currency': event.currency,
          ':at': at,
          ':sellerId': sellerId,
        },
      },
    }));
    const applied = sumAmounts(deltas.map(({ delta }) => delta));
    return applyOnce(this.client, this.tableName, event, effect, applied);
  }

  /** One consistent batch read of the seller's plain item and its shards (one item unless opted in). */
  async get(sellerId: string): Promise<Wallet | undefined> {
    const shards = this.shards.get(sellerId) ?? 0;
    let pending: Record<string, unknown>[] = [
      walletKey(sellerId),
      ...Array.from({ length: shards }, (_, shard) => walletKey(sellerId, shard)),
    ];
    const items: Record<string, unknown>[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`wallet of ${sellerId}: ${pending.length} items stayed unread`);
      const answer = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(answer.Responses?.[this.tableName] ?? []));
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const [first] = items;
    if (!first) return undefined;
    return {
      sellerId,
      balance: sumAmounts(items.map((item) => Number(item.balance ?? 0))),
      currency: first.currency as string,
      // ISO-8601 instants: the latest sorts last.
      updatedAt:
        items
          .map((item) => String(item.updatedAt))
          .sort()
          .at(-1) ?? '',
    };
  }

  private creditedKey(sellerId: string, eventId: string) {
    const shards = this.shards.get(sellerId);
    return shards ? walletKey(sellerId, orderHash(eventId) % shards) : walletKey(sellerId);
  }
}
