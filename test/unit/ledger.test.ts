import { recordLedgerUseCase } from '../../lambdas/application/record-ledger';
import { trialBalanceUseCase } from '../../lambdas/application/trial-balance';
import type { DomainEvent } from '../../lambdas/domain/events';
import {
  type AccountTotals,
  isBalanced,
  type JournalTransaction,
  journalFor,
  PSP_CLEARING,
  trialBalance,
} from '../../lambdas/domain/ledger';
import { cancel, createPayment } from '../../lambdas/domain/payment';
import type { LedgerEvent, LedgerStore } from '../../lambdas/ports/ledger-store';
import { AT, accepted, checkout, operations } from './payment-fixtures';

function eventOf(result: ReturnType<typeof operations.approve>): DomainEvent {
  if (!result.ok || !result.event) throw new Error('expected an event');
  return result.event;
}

const executing = () => accepted(operations.startExecution(accepted(createPayment(checkout()))));

describe('journalFor', () => {
  it('debits PSP clearing and credits each seller payable on a confirm', () => {
    const confirmed = eventOf(operations.approve(executing()));
    expect(journalFor(confirmed)).toEqual({
      eventId: 'order-1:1',
      orderId: 'order-1',
      seq: 1,
      type: 'PaymentConfirmed',
      at: AT,
      entries: [
        { account: PSP_CLEARING, debit: 6_000, credit: 0 },
        { account: 'seller-payable:seller-a', debit: 0, credit: 1_000 },
        { account: 'seller-payable:seller-b', debit: 0, credit: 2_000 },
        { account: 'seller-payable:seller-c', debit: 0, credit: 3_000 },
      ],
    });
  });

  it('reverses the canceled amount on a cancel', () => {
    const approved = accepted(operations.approve(executing()));
    const canceled = eventOf(cancel(approved, { cancelAmount: 600, cancelReason: 'returned', at: AT }));
    expect(journalFor(canceled)?.entries).toEqual([
      { account: PSP_CLEARING, debit: 0, credit: 600 },
      { account: 'seller-payable:seller-a', debit: 100, credit: 0 },
      { account: 'seller-payable:seller-b', debit: 200, credit: 0 },
      { account: 'seller-payable:seller-c', debit: 300, credit: 0 },
    ]);
  });

  it('records nothing for a failure', () => {
    expect(journalFor(eventOf(operations.decline(executing())))).toBeUndefined();
  });
});

describe('isBalanced', () => {
  const entries = [
    { account: PSP_CLEARING, debit: 500, credit: 0 },
    { account: 'seller-payable:s', debit: 0, credit: 500 },
  ];

  it('holds when debits equal credits', () => {
    expect(isBalanced({ entries })).toBe(true);
  });

  it('fails when they differ or an entry is negative', () => {
    expect(isBalanced({ entries: [...entries, { account: 'x', debit: 1, credit: 0 }] })).toBe(false);
    expect(
      isBalanced({
        entries: [...entries, { account: 'x', debit: -1, credit: 0 }, { account: 'y', debit: 1, credit: 0 }],
      }),
    ).toBe(false);
  });
});

class FakeLedgerStore implements LedgerStore {
  readonly recorded: { event: LedgerEvent; transaction: JournalTransaction | undefined }[] = [];
  constructor(private readonly totals: AccountTotals[] = []) {}

  async record(event: LedgerEvent, transaction: JournalTransaction | undefined) {
    this.recorded.push({ event, transaction });
    return 'duplicate' as const;
  }

  async accounts() {
    return this.totals;
  }

  async feesRecorded() {
    return { amount: 0, revision: 0 };
  }

  async recordFees() {
    return false;
  }
}

describe('record ledger', () => {
  it("passes the store the event's transaction and answers what the store did", async () => {
    const store = new FakeLedgerStore();
    const confirmed = eventOf(operations.approve(executing()));
    await expect(recordLedgerUseCase({ store })(confirmed)).resolves.toBe('duplicate');
    expect(store.recorded).toEqual([{ event: confirmed, transaction: journalFor(confirmed) }]);
  });

  it('still goes through the store for a failure, so the cursor advances', async () => {
    const store = new FakeLedgerStore();
    const failed = eventOf(operations.decline(executing()));
    await recordLedgerUseCase({ store })(failed);
    expect(store.recorded).toEqual([{ event: failed, transaction: undefined }]);
  });
});

describe('trial balance', () => {
  it('answers zero totals for an empty ledger', async () => {
    const outcome = await trialBalanceUseCase({ store: new FakeLedgerStore() })();
    expect(outcome.statusCode).toBe(200);
    expect(JSON.parse(outcome.body)).toEqual({ accounts: [], totalDebits: 0, totalCredits: 0 });
  });

  it('answers each account with its balance (debits - credits) and the totals', () => {
    expect(
      trialBalance([
        { account: PSP_CLEARING, debits: 6_000, credits: 600 },
        { account: 'seller-payable:seller-a', debits: 600, credits: 6_000 },
      ]),
    ).toEqual({
      accounts: [
        { account: PSP_CLEARING, debits: 6_000, credits: 600, balance: 5_400 },
        { account: 'seller-payable:seller-a', debits: 600, credits: 6_000, balance: -5_400 },
      ],
      totalDebits: 6_600,
      totalCredits: 6_600,
    });
  });
});
