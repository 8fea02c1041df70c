import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AccountTotals, isSellerPayable, type JournalTransaction } from '../../domain/ledger';
import { sumAmounts } from '../../domain/money';
import type { LedgerEvent, LedgerStore } from '../../ports/ledger-store';
import { applyOnce } from './apply-once';
import { queryAll } from './paging';

/**
 * Ledger table: immutable journal transactions `TXN#<eventId> / #TXN`, and running totals per
 * account in one partition `ACCOUNTS / <account>` so the trial balance is one paginated Query.
 * `psp-clearing` is a single item every transaction updates: that caps the ledger near 1,000
 * transactions/s (DynamoDB's per-item write rate), far above this system's load.
 */
const ACCOUNTS_PK = 'ACCOUNTS';

/** What a transaction moved to the sellers' payables (credits less debits), the wallets' counterpart. */
function payableChange(transaction: JournalTransaction): number {
  const payables = transaction.entries.filter(({ account }) => isSellerPayable(account));
  return sumAmounts(payables.map(({ credit, debit }) => credit - debit));
}

export class DynamoDbLedgerStore implements LedgerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  record(
    event: LedgerEvent,
    transaction: JournalTransaction | undefined,
  ): Promise<'applied' | 'duplicate' | 'gap'> {
    if (!transaction) return applyOnce(this.client, this.tableName, event, [], 0);
    const journal = {
      Put: {
        TableName: this.tableName,
        Item: { pk: `TXN#${transaction.eventId}`, sk: '#TXN', ...transaction },
        // Entries are never rewritten: a correction is a new, reversing transaction.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const totals = transaction.entries.map(({ account, debit, credit }) => ({
      Update: {
        TableName: this.tableName,
        Key: { pk: ACCOUNTS_PK, sk: account },
        UpdateExpression: 'ADD debits :debit, credits :credit SET account = :account',
        ExpressionAttributeValues: { ':debit': debit, ':credit': credit, ':account': account },
      },
    }));
    return applyOnce(this.client, this.tableName, event, [journal, ...totals], payableChange(transaction));
  }

  async accounts(): Promise<AccountTotals[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': ACCOUNTS_PK },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      account: item.account as string,
      debits: item.debits as number,
      credits: item.credits as number,
    }));
  }
}
