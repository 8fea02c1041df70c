/**
 * Exactly-once effects under at-least-once delivery (DESIGN §7): the wallet and ledger use cases,
 * and the consumer handler plumbing (`eventConsumer`), composed in-process against their own
 * tables in DynamoDB Local. Every message is delivered twice and the whole stream is then
 * replayed from the start: balances and the journal equal the single-application result, and
 * every repeat is acknowledged as a 'duplicate'.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedgerStore } from '../../lambdas/adapters/dynamodb/ledger-store';
import { DynamoDbWalletStore } from '../../lambdas/adapters/dynamodb/wallet-store';
import { recordLedgerUseCase } from '../../lambdas/application/record-ledger';
import { settleWalletUseCase } from '../../lambdas/application/settle-wallet';
import type { DomainEvent } from '../../lambdas/domain/events';
import { isBalanced, PSP_CLEARING, sellerPayable, trialBalance } from '../../lambdas/domain/ledger';
import type { Payment } from '../../lambdas/domain/payment';
import type { SettlementReport } from '../../lambdas/ports/completion';
import { documentClient } from '../../lambdas/shared/composition';
import { eventConsumer } from '../../lambdas/shared/event-consumer';
import {
  createTableLike,
  dropTables,
  expectedBalances,
  items,
  journal,
  lambdaContext,
  localDynamo,
  recordingLogger,
  type ScriptedPayment,
  scriptPayment,
  sqsEventOf,
  unique,
} from '../support/events';

type ApplyResult = 'applied' | 'duplicate' | 'gap';

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const tables: string[] = [];

beforeAll(() => {
  dynamo = localDynamo();
  doc = documentClient(dynamo);
});

afterAll(async () => {
  await dropTables(dynamo, tables);
  dynamo.destroy();
});

/** Fresh wallet and ledger tables, as the consumers own them. */
async function consumerTables() {
  const wallets = (await createTableLike(dynamo, 'wallets', 'replay')).name;
  const ledger = (await createTableLike(dynamo, 'ledger', 'replay')).name;
  tables.push(wallets, ledger);
  const walletStore = new DynamoDbWalletStore(doc, wallets);
  const ledgerStore = new DynamoDbLedgerStore(doc, ledger);
  return {
    ledgerTable: ledger,
    walletStore,
    ledgerStore,
    settle: settleWalletUseCase({ store: walletStore, clock: () => new Date() }),
    record: recordLedgerUseCase({ store: ledgerStore }),
  };
}

/** Confirms and cancels across several payments and sellers, plus a declined payment (moves no money). */
function scenario(): { payments: ScriptedPayment[]; sellers: string[] } {
  const [a, b, c] = [unique('seller-a'), unique('seller-b'), unique('seller-c')];
  const order = (tag: string) => ({
    orderId: unique(`replay-${tag}`),
    buyerId: 'buyer-1',
    orderName: tag,
    currency: 'KRW' as const,
  });
  const payments = [
    scriptPayment({ ...order('p1'), items: items([a, 10_000], [b, 5_000]) }, [
      { kind: 'confirm' },
      { kind: 'cancel', amount: 3_000 },
      { kind: 'cancel', amount: 2_000 },
    ]),
    scriptPayment({ ...order('p2'), items: items([a, 7_777], [c, 3_333]) }, [
      { kind: 'confirm' },
      { kind: 'cancel' },
    ]),
    scriptPayment({ ...order('p3'), items: items([b, 1_234]) }, [{ kind: 'decline' }]),
    scriptPayment({ ...order('p4'), items: items([a, 999], [b, 1], [c, 500]) }, [
      { kind: 'confirm' },
      { kind: 'cancel', amount: 1 },
      { kind: 'cancel', amount: 700 },
    ]),
  ];
  return { payments, sellers: [a, b, c] };
}

/** The payments' events round-robin across payments, each payment's own events in seq order. */
function stream(payments: readonly ScriptedPayment[]): DomainEvent[] {
  const out: DomainEvent[] = [];
  const longest = Math.max(...payments.map((p) => p.events.length));
  for (let i = 0; i < longest; i++) {
    for (const p of payments) {
      const event = p.events[i];
      if (event) out.push(event);
    }
  }
  return out;
}

/** What the consumers hold: every seller's balance, the account totals and the journal. */
async function snapshot(
  stores: Awaited<ReturnType<typeof consumerTables>>,
  sellers: readonly string[],
): Promise<{
  wallets: Record<string, number | undefined>;
  accounts: Record<string, { debits: number; credits: number }>;
  journal: string[];
}> {
  const wallets: Record<string, number | undefined> = {};
  for (const seller of sellers) wallets[seller] = (await stores.walletStore.get(seller))?.balance;
  const accounts: Record<string, { debits: number; credits: number }> = {};
  for (const a of await stores.ledgerStore.accounts()) {
    accounts[a.account] = { debits: a.debits, credits: a.credits };
  }
  const transactions = await journal(doc, stores.ledgerTable);
  return { wallets, accounts, journal: transactions.map((t) => t.eventId).sort() };
}

/** The single-application result, computed from the payments themselves (not from the consumers). */
function expectedState(payments: readonly Payment[], events: readonly DomainEvent[], sellers: string[]) {
  const balances = expectedBalances(payments);
  const wallets: Record<string, number | undefined> = {};
  for (const seller of sellers) wallets[seller] = balances.get(seller);
  const accounts: Record<string, { debits: number; credits: number }> = {};
  const add = (account: string, debit: number, credit: number) => {
    const current = accounts[account] ?? { debits: 0, credits: 0 };
    accounts[account] = { debits: current.debits + debit, credits: current.credits + credit };
  };
  for (const event of events) {
    if (event.type === 'PaymentFailed') continue;
    const confirm = event.type === 'PaymentConfirmed';
    const total = event.items.reduce((sum, line) => sum + line.amount, 0);
    add(PSP_CLEARING, confirm ? total : 0, confirm ? 0 : total);
    for (const line of event.items) {
      add(sellerPayable(line.sellerId), confirm ? 0 : line.amount, confirm ? line.amount : 0);
    }
  }
  const journalIds = events.filter((e) => e.type !== 'PaymentFailed').map((e) => e.eventId);
  return { wallets, accounts, journal: journalIds.sort() };
}

describe('wallet and ledger use cases: every event twice, then the stream replayed', () => {
  it('apply each event once: repeats are duplicates and change nothing', async () => {
    const stores = await consumerTables();
    const { payments, sellers } = scenario();
    const events = stream(payments);
    expect(events).toHaveLength(9);

    const deliver = async (event: DomainEvent): Promise<[ApplyResult, ApplyResult]> => [
      await stores.settle(event),
      await stores.record(event),
    ];

    // First pass: every message delivered twice in a row.
    const firstPass: [string, ApplyResult, ApplyResult][] = [];
    for (const event of events) {
      for (let copy = 0; copy < 2; copy++) firstPass.push([event.eventId, ...(await deliver(event))]);
    }
    expect(firstPass).toEqual(
      events.flatMap((e) => [
        [e.eventId, 'applied', 'applied'],
        [e.eventId, 'duplicate', 'duplicate'],
      ]),
    );
    const once = await snapshot(stores, sellers);
    expect(once).toEqual(
      expectedState(
        payments.map((p) => p.final),
        events,
        sellers,
      ),
    );

    // The stream replayed from the start (twice more): all duplicates, nothing moves.
    for (let replay = 0; replay < 2; replay++) {
      const results = [];
      for (const event of events) results.push(await deliver(event));
      expect(results).toEqual(events.map(() => ['duplicate', 'duplicate']));
    }
    expect(await snapshot(stores, sellers)).toEqual(once);

    const totals = trialBalance(await stores.ledgerStore.accounts());
    expect(totals.totalDebits).toBe(totals.totalCredits);
    for (const transaction of await journal(doc, stores.ledgerTable))
      expect(isBalanced(transaction)).toBe(true);
  });
});

describe('consumer handlers (eventConsumer): duplicated batches, then the stream replayed', () => {
  it('acknowledge every repeat, report it again, and apply each event once', async () => {
    const stores = await consumerTables();
    const { payments, sellers } = scenario();
    const events = stream(payments);
    const results: Record<'wallet' | 'ledger', ApplyResult[]> = { wallet: [], ledger: [] };
    const reports: SettlementReport[] = [];
    const { logger, lines } = recordingLogger();
    const consumer = (name: 'wallet' | 'ledger', apply: (e: DomainEvent) => Promise<ApplyResult>) =>
      eventConsumer({
        consumer: name,
        apply: async (event) => {
          const result = await apply(event);
          results[name].push(result);
          return result;
        },
        reporter: { report: async (report) => void reports.push(report) },
        logger,
      });
    const handlers = [consumer('wallet', stores.settle), consumer('ledger', stores.record)];

    // Every message twice (adjacent copies, as a redelivery after a lost delete would be), in
    // batches of up to 10 like the event source mapping's.
    const duplicated = events.flatMap((e) => [e, e]);
    const deliverAll = async (all: readonly DomainEvent[]) => {
      for (let i = 0; i < all.length; i += 10) {
        const batch = sqsEventOf(all.slice(i, i + 10));
        for (const handler of handlers) {
          const response = await handler(batch, lambdaContext('consumer'));
          expect(response.batchItemFailures).toEqual([]);
        }
      }
    };
    await deliverAll(duplicated);
    const expectedResults = events.flatMap(() => ['applied', 'duplicate']);
    expect(results).toEqual({ wallet: expectedResults, ledger: expectedResults });
    const once = await snapshot(stores, sellers);
    expect(once).toEqual(
      expectedState(
        payments.map((p) => p.final),
        events,
        sellers,
      ),
    );

    // Replay from the start.
    results.wallet = [];
    results.ledger = [];
    await deliverAll(events);
    expect(results).toEqual({
      wallet: events.map(() => 'duplicate'),
      ledger: events.map(() => 'duplicate'),
    });
    expect(await snapshot(stores, sellers)).toEqual(once);

    // Each delivery is reported (a duplicate too: the first report may have been lost), and
    // the reports name exactly the stream's events for each consumer.
    expect(reports).toHaveLength(3 * events.length * 2);
    for (const name of ['wallet', 'ledger'] as const) {
      const reported = new Set(reports.filter((r) => r.consumer === name).map((r) => r.eventId));
      expect([...reported].sort()).toEqual(events.map((e) => e.eventId).sort());
    }
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
