import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AccountTotals,
  type FeeTransaction,
  isSellerPayable,
  type JournalEntry,
  type JournalTransaction,
} from '../../domain/ledger';
import { sumAmounts } from '../../domain/money';
import type { LedgerEvent, LedgerStore, SettlementDay } from '../../ports/ledger-store';
import { applyOnce } from './apply-once';
import { orderHash } from './keys';
import { queryAll } from './paging';

/**
 * Ledger table: immutable journal transactions `TXN#<eventId> / #TXN`, and running totals per
 * account, write-sharded: a transaction adds all its totals into one partition `ACCOUNTS#<shard>`
 * (shard from its eventId), so neither `psp-clearing`, which every transaction moves, nor the
 * partition of the totals takes every payment. The trial balance sums the shards (one Query each).
 */
export const LEDGER_TOTAL_SHARDS = 32;

const accountsPk = (shard: number) => `ACCOUNTS#${shard}`;

/** The PSP fees recorded for a settlement date: their sum and the revision of the latest transaction. */
const feesKey = ({ date, dateType }: SettlementDay) => ({ pk: `FEES#${dateType}#${date}`, sk: '#FEES' });

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
    const totals = this.totalsUpdates(transaction.eventId, transaction.entries);
    return applyOnce(this.client, this.tableName, event, [journal, ...totals], payableChange(transaction));
  }

  async feesRecorded(day: SettlementDay): Promise<{ amount: number; revision: number }> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: feesKey(day), ConsistentRead: true }),
    );
    return { amount: Number(Item?.amount ?? 0), revision: Number(Item?.revision ?? 0) };
  }

  async recordFees(transaction: FeeTransaction): Promise<boolean> {
    const { revision, amount } = transaction;
    const journal = {
      Put: {
        TableName: this.tableName,
        Item: { pk: `TXN#${transaction.transactionId}`, sk: '#TXN', ...transaction },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    // The date's running sum moves only from the revision this transaction follows.
    const recorded = {
      Update: {
        TableName: this.tableName,
        Key: feesKey(transaction),
        UpdateExpression: 'SET revision = :revision ADD amount :amount',
        ConditionExpression: revision === 1 ? 'attribute_not_exists(revision)' : 'revision = :previous',
        ExpressionAttributeValues: {
          ':revision': revision,
          ':amount': amount,
          ...(revision === 1 ? {} : { ':previous': revision - 1 }),
        },
      },
    };
    const totals = this.totalsUpdates(transaction.transactionId, transaction.entries);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [journal, recorded, ...totals] }));
      return true;
    } catch (error) {
      const lost =
        error instanceof TransactionCanceledException &&
        (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
      if (lost) return false;
      throw error;
    }
  }

  /** Adds a transaction's entries to the account totals of one shard, chosen by the transaction's id. */
  private totalsUpdates(transactionId: string, entries: readonly JournalEntry[]) {
    return entries.map(({ account, debit, credit }) => ({
      Update: {
        TableName: this.tableName,
        Key: { pk: accountsPk(orderHash(transactionId) % LEDGER_TOTAL_SHARDS), sk: account },
        UpdateExpression: 'ADD debits :debit, credits :credit SET account = :account',
        ExpressionAttributeValues: { ':debit': debit, ':credit': credit, ':account': account },
      },
    }));
  }

  async accounts(): Promise<AccountTotals[]> {
    const shards = await Promise.all(
      Array.from({ length: LEDGER_TOTAL_SHARDS }, (_, shard) =>
        queryAll(this.client, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': accountsPk(shard) },
          ConsistentRead: true,
        }),
      ),
    );
    const totals = new Map<string, AccountTotals>();
    for (const item of shards.flat()) {
      const account = item.account as string;
      const sum = totals.get(account) ?? { account, debits: 0, credits: 0 };
      totals.set(account, {
        account,
        debits: sum.debits + Number(item.debits ?? 0),
        credits: sum.credits + Number(item.credits ?? 0),
      });
    }
    return [...totals.values()].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  }
}
