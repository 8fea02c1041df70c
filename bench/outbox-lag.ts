import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import { localDynamoClient } from './dynamodb-meter';
import { type AuthorizedOrder, authorizedOrder, getPayment, postConfirm } from './http';
import { mapConcurrently } from './pool';
import { type Distribution, distribution, msSince } from './stats';

export interface OutboxLagOptions {
  readonly payments: number;
  /** Payments confirmed and followed at once. */
  readonly concurrency: number;
  /** Followed first and discarded: the stack drains what earlier sections left, the publisher warms up. */
  readonly warmup: number;
  readonly pollIntervalMs: number;
  /** A payment not settled by then fails the section. */
  readonly giveUpMs: number;
}

export interface OutboxLagSection {
  readonly payments: number;
  readonly concurrency: number;
  readonly warmupPayments: number;
  readonly pollIntervalMs: number;
  readonly method: string;
  /** Confirm's 200 → `publishedSeq ≥ 1` on the payment item (its own outbox slot): the event is on both FIFO queues. */
  readonly commitToPublishedMs: Distribution;
  /** Confirm's 200 → GET /payments/{orderId} shows `walletSettled`: publish, wallet consumer, completion. */
  readonly commitToWalletSettledMs: Distribution;
  readonly caveat: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Over HTTP on the local stack: each worker sets up an order, confirms it, then polls the outbox
 * slot (consistent read) and GET /payments/{orderId} every `pollIntervalMs` until the slot is
 * marked published and the wallet has settled; then the next order.
 */
export async function measureOutboxLag(
  stack: LocalStackEndpoints,
  options: OutboxLagOptions,
): Promise<OutboxLagSection> {
  const dynamo = localDynamoClient(stack.dynamoEndpoint);
  const publishedSeq = async (orderId: string): Promise<number> => {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: 'payments',
        Key: { pk: { S: `PAYMENT#${orderId}` }, sk: { S: '#PAYMENT' } },
        ProjectionExpression: 'publishedSeq',
        ConsistentRead: true,
      }),
    );
    return Number(Item?.publishedSeq?.N ?? 0);
  };

  /** From the confirm's answer: when (ms) each state was first seen, on the probe's answer. */
  const follow = async (order: AuthorizedOrder): Promise<{ publishedMs: number; walletMs: number }> => {
    const answer = await postConfirm(stack.apiUrl, order);
    if (answer.status !== 200) throw new Error(`confirm answered ${answer.status}: ${answer.text}`);
    const committed = process.hrtime.bigint();
    let publishedMs: number | undefined;
    let walletMs: number | undefined;
    for (;;) {
      await Promise.all([
        publishedMs === undefined &&
          publishedSeq(order.orderId).then((seq) => {
            if (seq >= 1) publishedMs = msSince(committed);
          }),
        walletMs === undefined &&
          getPayment(stack.apiUrl, order.orderId).then((view) => {
            if (view.walletSettled) walletMs = msSince(committed);
          }),
      ]);
      if (publishedMs !== undefined && walletMs !== undefined) return { publishedMs, walletMs };
      if (msSince(committed) > options.giveUpMs) {
        throw new Error(
          `${order.orderId}: published ${publishedMs ?? 'no'}, walletSettled ${walletMs ?? 'no'} after ${options.giveUpMs} ms`,
        );
      }
      await sleep(options.pollIntervalMs);
    }
  };

  try {
    // Orders first (checkout and PSP session), so a worker's loop is only confirm and follow.
    const orders = await mapConcurrently(
      Array.from({ length: options.warmup + options.payments }),
      options.concurrency,
      () => authorizedOrder(stack.apiUrl, stack.pspUrl),
    );
    await mapConcurrently(orders.slice(0, options.warmup), options.concurrency, follow);
    const lags = await mapConcurrently(orders.slice(options.warmup), options.concurrency, follow);
    return {
      payments: options.payments,
      concurrency: options.concurrency,
      warmupPayments: options.warmup,
      pollIntervalMs: options.pollIntervalMs,
      method: `from the 200 of POST /payments/confirm (the business transaction has committed by then): ${options.concurrency} payments at a time, each polled every ${options.pollIntervalMs} ms with a consistent GetItem of its payment item (its own outbox slot) in table payments (publishedSeq ≥ 1: the publisher has sent the event to the wallet and ledger FIFO queues and recorded it) and GET /payments/{orderId} (walletSettled); a state counts when the probe that saw it answers, so figures include up to one poll interval plus the probe's own latency`,
      commitToPublishedMs: distribution(lags.map((l) => l.publishedMs)),
      commitToWalletSettledMs: distribution(lags.map((l) => l.walletMs)),
      caveat:
        'local stack, not AWS: the stream poller reads DynamoDB Local streams between idle sleeps (LOCAL_STREAM_IDLE_MS), and commit → walletSettled crosses two SQS hops (wallet queue, then completion queue) on the local SQS emulator (local-aws-sqs), whose receive holds a poll until the batch is full or the wait ends (about 40 ms even for WaitTimeSeconds 0) while the local queue pollers sleep between empty receives: that long-poll behaviour, not the consumers, dominates the end-to-end figure',
    };
  } finally {
    dynamo.destroy();
  }
}
