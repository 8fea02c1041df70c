import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { sumAmounts } from '../../domain/money';
import type { BalanceDelta } from '../../domain/wallet';
import type { Wallet, WalletEvent, WalletStore } from '../../ports/wallet-store';
import { applyOnce } from './apply-once';

/** Wallets table: `SELLER#<sellerId> / #WALLET` per seller, beside applyOnce's markers and cursors. */
const WALLET_SK = '#WALLET';

function walletKey(sellerId: string) {
  return { pk: `SELLER#${sellerId}`, sk: WALLET_SK };
}

export class DynamoDbWalletStore implements WalletStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
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
        Key: walletKey(sellerId),
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

  async get(sellerId: string): Promise<Wallet | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: walletKey(sellerId), ConsistentRead: true }),
    );
    if (!item) return undefined;
    return {
      sellerId: item.sellerId as string,
      balance: item.balance as number,
      currency: item.currency as string,
      updatedAt: item.updatedAt as string,
    };
  }
}
