import { billOf, PRICES_USD } from '../../bench/payment-cost';
import type { LifeCost } from '../../bench/payment-life';

const step = (fn: LifeCost['steps'][string]['fn'], figures: Partial<LifeCost['steps'][string]>) => ({
  fn,
  invocations: 1,
  requests: 0,
  wcu: 0,
  rcu: 0,
  sqsSends: 0,
  ms: 0,
  ...figures,
});

describe('the bill of one life, per million', () => {
  it('prices DynamoDB units, Lambda requests and GB-seconds, SQS calls by queue kind and REST calls', () => {
    const life: LifeCost = {
      // 512 MB for 100 ms: 0.05 GB-s; the publisher's 2 sends are FIFO, the wallet's report standard.
      steps: {
        publish: step('publisher', { ms: 100, sqsSends: 2 }),
        wallet: step('wallet', { ms: 0.2, sqsSends: 1 }),
      },
      wcu: 10,
      rcu: 4,
      requests: 0,
      sqsSends: 3,
      invocations: 2,
      apiCalls: 3,
    };
    const bill = billOf(life);
    expect(bill.dynamodb).toBeCloseTo(10 * 0.625 + 4 * 0.125, 2);
    // Two requests, 0.05 GB-s plus 1 ms (rounded up) at 512 MB.
    const gbSeconds = 0.05 + 0.001 * 0.5;
    expect(bill.lambda).toBeCloseTo(2 * 0.2 + gbSeconds * 1e6 * PRICES_USD.lambda.perGbSecondArm, 2);
    // Each message sent is also received and deleted once.
    expect(bill.sqs).toBeCloseTo(2 * 3 * 0.5 + 1 * 3 * 0.4, 2);
    expect(bill.apiGateway).toBeCloseTo(3 * 3.5, 2);
    expect(bill.total).toBeCloseTo(bill.dynamodb + bill.lambda + bill.sqs + bill.apiGateway, 1);
  });
});
