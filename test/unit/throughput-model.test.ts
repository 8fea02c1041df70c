import { createHash } from 'node:crypto';
import {
  ceilingOf,
  DEFAULT_ASSUMPTIONS,
  FIFO_CALLS_PER_SECOND,
  modelTable,
  shardSkew,
  throughputModel,
} from '../../bench/throughput-model';
import { INDEX_SHARDS, orderHash } from '../../lambdas/adapters/dynamodb/keys';
import { LEDGER_TOTAL_SHARDS } from '../../lambdas/adapters/dynamodb/ledger-store';
import { topology } from '../../lib/topology';

/** Order ids as checkout makes them (`ord_` + 32 hex), and event ids `<orderId>:<seq>`. */
const orderIds = Array.from(
  { length: 50_000 },
  (_, i) => `ord_${createHash('sha256').update(`checkout:${i}`).digest('hex').slice(0, 32)}`,
);

describe('shard math', () => {
  it('a ceiling is the shards’ combined limit over what one payment puts on them', () => {
    expect(ceilingOf({ perPayment: 2, limitPerShard: 1_000, shards: 16 })).toBe(8_000);
    expect(ceilingOf({ perPayment: 6, limitPerShard: 1_000, shards: 32 })).toBeCloseTo(5_333.3, 1);
    expect(ceilingOf({ perPayment: 0, limitPerShard: 1, shards: 1 })).toBe(Number.POSITIVE_INFINITY);
  });

  it('spreads order ids and event ids evenly over the index and ledger shards (busiest within 10% of the mean)', () => {
    expect(shardSkew(orderIds, INDEX_SHARDS, orderHash)).toBeLessThan(1.1);
    expect(
      shardSkew(
        orderIds.map((id) => `${id}:1`),
        LEDGER_TOTAL_SHARDS,
        orderHash,
      ),
    ).toBeLessThan(1.1);
  });

  it('measures skew: everything on one shard is `shards` times the mean', () => {
    expect(shardSkew(['a', 'b', 'c', 'd'], 4, () => 0)).toBe(4);
    expect(shardSkew(['a', 'b', 'c', 'd'], 4, (id) => id.charCodeAt(0))).toBe(1);
  });
});

describe('throughput model', () => {
  it('puts the system at 10,000 payments/s or more, bottleneck named, publisher ahead of its partition', () => {
    const model = throughputModel();
    expect(model.ceilingPaymentsPerSecond).toBeGreaterThanOrEqual(10_000);
    expect(model.rows.find((row) => row.name === model.bottleneck)?.ceiling).toBe(
      Math.min(...model.rows.map((row) => row.ceiling)),
    );
    expect(model.publisherHeadroom).toBeGreaterThan(1);
  });

  it('shows the old design’s cap: completion on a plain FIFO queue takes 300 calls/s, two reports each', () => {
    const queues = {
      ...topology.queues,
      completion: { ...topology.queues.completion, fifo: true, highThroughput: false },
    };
    const model = throughputModel(DEFAULT_ASSUMPTIONS, queues);
    expect(model.ceilingPaymentsPerSecond).toBe(FIFO_CALLS_PER_SECOND / 2);
    expect(model.bottleneck).toMatch(/completion/);
  });

  it('a seller taking every payment on one wallet item caps at 500/s; its opt-in shards lift that', () => {
    const alone = { ...DEFAULT_ASSUMPTIONS, busiestSellerShare: 1, busiestSellerWalletShards: 1 };
    const row = (assumptions: typeof alone) =>
      throughputModel(assumptions).rows.find((r) => r.name.startsWith('busiest seller'));
    expect(row(alone)?.ceiling).toBe(500);
    expect(row({ ...alone, busiestSellerWalletShards: 8 })?.ceiling).toBe(4_000);
  });

  it('has no row that is one hot partition or one queue, but the standard completion queue', () => {
    for (const row of throughputModel().rows) {
      if (Number.isFinite(row.limitPerShard)) expect(row.shards).toBeGreaterThan(1);
    }
  });

  it('a single queue shard in the lowest-quota tier would cap below 10,000: the shards carry it', () => {
    const one = throughputModel({ ...DEFAULT_ASSUMPTIONS, queueShards: 1 });
    expect(one.rows.find((r) => r.name.startsWith('queue wallet'))?.shards).toBe(1);
    expect(throughputModel().rows.find((r) => r.name.startsWith('queue wallet'))?.shards).toBe(4);
  });

  it('renders one table row per resource', () => {
    const model = throughputModel();
    expect(modelTable(model).split('\n')).toHaveLength(model.rows.length + 2);
  });
});
