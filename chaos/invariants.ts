import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbAppliedAmounts } from '../lambdas/adapters/dynamodb/apply-once';
import { DynamoDbLedgerStore } from '../lambdas/adapters/dynamodb/ledger-store';
import { DynamoDbOutboxStore } from '../lambdas/adapters/dynamodb/outbox-store';
import { scanPages } from '../lambdas/adapters/dynamodb/paging';
import { DynamoDbPaymentStore } from '../lambdas/adapters/dynamodb/payment-store';
import { DynamoDbWalletStore } from '../lambdas/adapters/dynamodb/wallet-store';
import type { DomainEvent } from '../lambdas/domain/events';
import { PSP_CLEARING, PSP_FEES, sellerPayable, trialBalance } from '../lambdas/domain/ledger';
import { SETTLING_CONSUMERS } from '../lambdas/ports/completion';
import type { PaymentView } from '../lambdas/ports/payment-store';
import { documentClient } from '../lambdas/shared/composition';
import { topology } from '../lib/topology';
import { type LocalQueue, planLocalWiring } from '../local/runtime/wiring';
import { type SimOrderTruth, sim } from '../test/support/http-client';
import type { KillResult } from './runtime';

export const INVARIANTS = [
  'pspTruthEqualsStatusAndBalance',
  'walletsEqualApprovedMinusCanceled',
  'ledgerBalancedAndEqualToTotals',
  'nothingNonTerminal',
  'everyPaymentDone',
  'deadLetterQueuesEmpty',
  'noEventAppliedTwice',
  'nothingLeftRunningAfterKill',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface InvariantReport {
  readonly invariants: Record<InvariantName, boolean>;
  /** Up to 10 examples per violated invariant. */
  readonly violations: Partial<Record<InvariantName, string[]>>;
}

const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'CANCELED', 'PARTIAL_CANCELED']);
/** PSP statuses under which the order moved money, and the status we must hold for each. */
const PSP_TO_INTERNAL: Record<string, string> = {
  DONE: 'SUCCESS',
  PARTIAL_CANCELED: 'PARTIAL_CANCELED',
  CANCELED: 'CANCELED',
  READY: 'FAILURE',
  ABORTED: 'FAILURE',
  EXPIRED: 'FAILURE',
};
const APPROVED_AT_PSP = new Set(['DONE', 'PARTIAL_CANCELED', 'CANCELED']);

/** What the run saw of one payment: our records (read directly, consistently) and the PSP's truth. */
interface Observed {
  readonly orderId: string;
  readonly view: PaymentView | undefined;
  readonly events: readonly DomainEvent[];
  readonly psp: SimOrderTruth | undefined;
}

/** Net per seller of a payment's events: confirmed lines less canceled lines. */
function sellerNet(events: readonly DomainEvent[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const event of events) {
    const sign = event.type === 'PaymentConfirmed' ? 1 : event.type === 'PaymentCanceled' ? -1 : 0;
    for (const line of event.items)
      net.set(line.sellerId, (net.get(line.sellerId) ?? 0) + sign * line.amount);
  }
  return net;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Reads the stores of the local runtime and the simulator's truth, and checks every invariant. */
export class InvariantChecker {
  private readonly payments;
  private readonly outbox;
  private readonly wallets;
  private readonly ledger;
  private readonly walletCursors;
  private readonly ledgerCursors;
  private readonly doc;

  constructor(
    dynamo: DynamoDBClient,
    private readonly sqs: SQSClient,
  ) {
    this.doc = documentClient(dynamo);
    this.payments = new DynamoDbPaymentStore(this.doc, 'payments');
    this.outbox = new DynamoDbOutboxStore(this.doc, 'payments');
    this.wallets = new DynamoDbWalletStore(this.doc, 'wallets');
    this.ledger = new DynamoDbLedgerStore(this.doc, 'ledger');
    this.walletCursors = new DynamoDbAppliedAmounts(this.doc, 'wallets');
    this.ledgerCursors = new DynamoDbAppliedAmounts(this.doc, 'ledger');
  }

  /** Payments not yet terminal and applied everywhere (what the run waits on before judging). */
  async unsettled(orderIds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const orderId of orderIds) {
      const view = await this.payments.view(orderId);
      if (!view || !TERMINAL.has(view.payment.status) || !this.done(view)) out.push(orderId);
    }
    return out;
  }

  /**
   * Messages waiting, not yet received, on the consumers' queues (wallet, ledger, completion):
   * a kill of the in-memory queues now loses them before anything applied them.
   */
  async waitingMessages(): Promise<number> {
    const depths = await this.queueDepths((queue) => queue.deadLetter !== undefined, false);
    return depths.reduce((total, [, depth]) => total + depth, 0);
  }

  async check(orderIds: readonly string[], sellers: readonly string[], kills: readonly KillResult[]) {
    const observed: Observed[] = [];
    for (const orderId of orderIds) {
      const view = await this.payments.view(orderId);
      const events = view ? await this.outbox.eventsBetween(orderId, 0, view.payment.eventSeq) : [];
      const psp = await sim.truth(orderId).catch(() => undefined);
      observed.push({ orderId, view, events, psp });
    }
    const violations: Partial<Record<InvariantName, string[]>> = {};
    const flag = (name: InvariantName, example: string) => {
      const list = violations[name] ?? [];
      if (list.length < 10) list.push(example);
      violations[name] = list;
    };
    /** What the PSP says each order is worth now (0 unless it approved it). */
    const pspBalance = (o: Observed) =>
      o.psp && APPROVED_AT_PSP.has(o.psp.status) ? o.psp.balanceAmount : 0;

    const expectedBySeller = new Map<string, number>(sellers.map((s) => [s, 0]));
    for (const o of observed) {
      const status = o.view?.payment.status;
      const wanted = o.psp ? PSP_TO_INTERNAL[o.psp.status] : 'FAILURE';
      if (status !== wanted)
        flag('pspTruthEqualsStatusAndBalance', `${o.orderId}: PSP ${o.psp?.status}, here ${status}`);
      else if (
        o.psp &&
        APPROVED_AT_PSP.has(o.psp.status) &&
        o.view?.payment.balanceAmount !== o.psp.balanceAmount
      )
        flag(
          'pspTruthEqualsStatusAndBalance',
          `${o.orderId}: PSP balance ${o.psp.balanceAmount}, here ${o.view?.payment.balanceAmount}`,
        );
      if (!status || !TERMINAL.has(status))
        flag('nothingNonTerminal', `${o.orderId}: ${status ?? 'no payment'}`);
      if (!o.view || !this.done(o.view))
        flag('everyPaymentDone', `${o.orderId}: settled by [${o.view?.settledBy.join(', ') ?? ''}]`);
      const net = sellerNet(o.events);
      if (sum(net.values()) !== pspBalance(o))
        flag(
          'walletsEqualApprovedMinusCanceled',
          `${o.orderId}: events net ${sum(net.values())}, PSP ${pspBalance(o)}`,
        );
      for (const [seller, amount] of net)
        expectedBySeller.set(seller, (expectedBySeller.get(seller) ?? 0) + amount);
    }

    for (const [seller, expected] of expectedBySeller) {
      const balance = (await this.wallets.get(seller))?.balance ?? 0;
      if (balance !== expected)
        flag('walletsEqualApprovedMinusCanceled', `${seller}: wallet ${balance}, expected ${expected}`);
    }

    const balance = trialBalance(await this.ledger.accounts());
    if (balance.totalDebits !== balance.totalCredits)
      flag(
        'ledgerBalancedAndEqualToTotals',
        `debits ${balance.totalDebits} != credits ${balance.totalCredits}`,
      );
    const accountBalance = (account: string) =>
      balance.accounts.find((a) => a.account === account)?.balance ?? 0;
    const clearing = sum(observed.map(pspBalance));
    // A closed reconciliation day moves the PSP's fees out of clearing into psp-fees.
    const clearingBeforeFees = accountBalance(PSP_CLEARING) + accountBalance(PSP_FEES);
    if (clearingBeforeFees !== clearing)
      flag(
        'ledgerBalancedAndEqualToTotals',
        `psp-clearing + psp-fees ${clearingBeforeFees}, PSP approved less canceled ${clearing}`,
      );
    for (const [seller, expected] of expectedBySeller) {
      const payable = -accountBalance(sellerPayable(seller));
      if (payable !== expected)
        flag('ledgerBalancedAndEqualToTotals', `${seller}: payable ${payable}, expected ${expected}`);
    }

    const journal = await this.journalCounts();
    for (const o of observed) {
      const seq = o.view?.payment.eventSeq ?? 0;
      for (const [consumer, cursor] of [
        ['wallet', await this.walletCursors.applied(o.orderId)],
        ['ledger', await this.ledgerCursors.applied(o.orderId)],
      ] as const) {
        // Checked against the events up to the cursor: one short of the latest is "not applied yet",
        // which everyPaymentDone and the balance invariants name; here a repeat shows as more money.
        const appliedSeq = cursor?.seq ?? 0;
        const net = sum(sellerNet(o.events.filter((e) => e.seq <= appliedSeq)).values());
        if (appliedSeq > seq || (cursor?.amount ?? 0) !== net)
          flag(
            'noEventAppliedTwice',
            `${o.orderId}: ${consumer} at seq ${appliedSeq} applied ${cursor?.amount}; its events up to ${appliedSeq} net ${net}, latest ${seq}`,
          );
      }
      const moneyEvents = o.events.filter((e) => e.type !== 'PaymentFailed').length;
      if ((journal.get(o.orderId) ?? 0) > moneyEvents)
        flag(
          'noEventAppliedTwice',
          `${o.orderId}: ${journal.get(o.orderId) ?? 0} journal transactions for ${moneyEvents} events`,
        );
    }

    // Every terminal queue: each dead-letter queue and the stream's on-failure queue.
    for (const [queue, depth] of await this.queueDepths((q) => q.deadLetter === undefined))
      if (depth > 0) flag('deadLetterQueuesEmpty', `${queue}: ${depth} message(s)`);
    kills.forEach((kill, i) => {
      if (kill.groupLeft || kill.portsHeld.length > 0)
        flag(
          'nothingLeftRunningAfterKill',
          `kill ${i + 1}: group left ${kill.groupLeft}, ports held [${kill.portsHeld.join(', ')}]`,
        );
    });

    const invariants = Object.fromEntries(INVARIANTS.map((name) => [name, !violations[name]])) as Record<
      InvariantName,
      boolean
    >;
    return { invariants, violations } satisfies InvariantReport;
  }

  private done(view: PaymentView): boolean {
    return view.payment.eventSeq > 0 && SETTLING_CONSUMERS.every((c) => view.settledBy.includes(c));
  }

  /** Journal transactions per order (a scan: the chaos run's own small ledger). */
  private async journalCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for await (const page of scanPages(this.doc, { TableName: 'ledger' })) {
      for (const item of page) {
        if (!String(item.pk).startsWith('TXN#')) continue;
        const orderId = String(item.orderId);
        counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Visible (and unless told otherwise, in-flight) messages of the local queues `which` selects. */
  private async queueDepths(
    which: (queue: LocalQueue) => boolean,
    inFlight = true,
  ): Promise<[string, number][]> {
    const depths: [string, number][] = [];
    for (const queue of planLocalWiring(topology).queues.filter(which)) {
      const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queue.physicalName }));
      const { Attributes } = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      depths.push([
        queue.name,
        Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
          (inFlight ? Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) : 0),
      ]);
    }
    return depths;
  }
}
