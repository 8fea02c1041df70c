/**
 * Outbox lag on the local stack (DESIGN §6, §7): for 30 confirms over HTTP, the time from the
 * confirm's 200 to (1) the outbox slot marked published (stream → publisher → SQS), (2)
 * GET /payments/{orderId} showing `walletSettled` (→ wallet consumer → completion consumer), and
 * (3) `done`. Polls every 20 ms, three payments at a time. Reported, not asserted: the local
 * emulators' timing says little about AWS.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/shared/composition';
import { localDynamo, percentile } from '../support/events';
import { checkoutBody, createOrder, getPayment, postConfirm, sim } from '../support/http-client';

const CONFIRMS = 30;
const WORKERS = 3;
const POLL_MS = 20;
const GIVE_UP_MS = 15_000;

const dynamo = localDynamo();
const doc = documentClient(dynamo);

afterAll(() => dynamo.destroy());

async function publishedSeq(orderId: string): Promise<number | undefined> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: 'payments',
      Key: { pk: `PAYMENT#${orderId}`, sk: '#PAYMENT' },
      ConsistentRead: true,
    }),
  );
  return Item?.publishedSeq as number | undefined;
}

async function untilSettled(orderId: string, confirmedAt: number) {
  let publishedMs: number | undefined;
  let walletMs: number | undefined;
  for (;;) {
    const [view, published] = [(await getPayment(orderId)).json, await publishedSeq(orderId)];
    const elapsed = Date.now() - confirmedAt;
    if (published === 1 && publishedMs === undefined) publishedMs = elapsed;
    if (view?.walletSettled && walletMs === undefined) walletMs = elapsed;
    if (view?.done)
      return { publishedMs: publishedMs ?? elapsed, walletMs: walletMs ?? elapsed, doneMs: elapsed };
    if (elapsed > GIVE_UP_MS)
      throw new Error(`${orderId} not settled after ${GIVE_UP_MS} ms: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

describe('outbox lag on the local stack', () => {
  it(`measures confirm → published / walletSettled / done over ${CONFIRMS} confirms`, async () => {
    const lags: { publishedMs: number; walletMs: number; doneMs: number }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < CONFIRMS) {
        const i = next++;
        const order = await createOrder(
          checkoutBody({
            items: [
              { sellerId: 'lag-seller-a', productId: 'p-1', amount: 1_000 + i },
              { sellerId: 'lag-seller-b', productId: 'p-2', amount: 2_000 },
            ],
          }),
        );
        const paymentKey = await sim.session(order.orderId, order.amount);
        const answer = await postConfirm({ ...order, paymentKey });
        expect(answer.status).toBe(200);
        lags.push(await untilSettled(order.orderId, Date.now()));
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));

    const line = (name: string, values: number[]) =>
      `${name} p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms`;
    console.log(
      [
        `outbox lag over ${CONFIRMS} confirms, ${WORKERS} at a time (from the confirm's 200, polled every ${POLL_MS} ms)`,
        `  ${line(
          'slot published:',
          lags.map((l) => l.publishedMs),
        )}`,
        `  ${line(
          'walletSettled: ',
          lags.map((l) => l.walletMs),
        )}`,
        `  ${line(
          'done:          ',
          lags.map((l) => l.doneMs),
        )}`,
      ].join('\n'),
    );
    expect(lags).toHaveLength(CONFIRMS);
  }, 120_000);
});
