import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sumAmounts } from '../../domain/money';
import type { WalletTotals } from '../../ports/reconciliation-store';
import { scanPages } from './paging';

/** Sort key of a seller's wallet item, as DynamoDbWalletStore writes it. */
const WALLET_SK = '#WALLET';

/**
 * Sums every wallet's balance with a scan of the wallets table: one nightly pass whose cost grows
 * with the number of sellers and processed-event markers, acceptable for the ledger check.
 */
export class DynamoDbWalletTotals implements WalletTotals {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async totalBalance(): Promise<number> {
    const balances: number[] = [];
    const pages = scanPages(this.client, {
      TableName: this.tableName,
      FilterExpression: 'sk = :wallet',
      ExpressionAttributeValues: { ':wallet': WALLET_SK },
      ProjectionExpression: 'balance',
      ConsistentRead: true,
    });
    for await (const page of pages) for (const item of page) balances.push(Number(item.balance ?? 0));
    return sumAmounts(balances);
  }
}
