/**
 * The system's ceiling in payments/s on paper: for every hot item, index partition and queue, the
 * writes (or API calls) one payment puts on it, the AWS limit of one shard of it, and how many
 * shards share the load. ceiling = limit × shards / per payment; the system's is the smallest.
 * `npm run bench` prints it and docs/ARCHITECTURE.md carries its table.
 */
import { INDEX_SHARDS, WORK_INDEX_SHARDS } from '../lambdas/adapters/dynamodb/keys';
import { LEDGER_TOTAL_SHARDS } from '../lambdas/adapters/dynamodb/ledger-store';
import { resolveDeployProfile } from '../lib/deploy-profile';
import { type QueueName, type Topology, topology } from '../lib/topology';

/**
 * The region the model's quotas are read for: the stack names none (it deploys where the CDK
 * environment points), and the local runtime, the ops CLI and this bench all name us-east-1.
 */
export const MODEL_REGION = 'us-east-1';

/** Where each limit below is published, and when it was read. */
export const QUOTA_SOURCES = {
  dynamodbPartition:
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html (each partition: 1,000 write units/s, 3,000 read units/s; read 2026-12-06)',
  sqsFifo:
    'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html (FIFO: 300 transactions/s per API action; high throughput, non-batched calls: highest tier US East (N. Virginia), US West (Oregon), Europe (Ireland); read 2026-12-06)',
} as const;

/** DynamoDB: one partition (and so one item, or one index partition key) takes 1,000 WCU/s. */
export const PARTITION_WCU_PER_SECOND = 1_000;
/** SQS FIFO without high-throughput mode: 300 calls/s per API action. */
export const FIFO_CALLS_PER_SECOND = 300;
/**
 * SQS FIFO in high-throughput mode, calls/s per API action and queue, in `MODEL_REGION`: its tier
 * (us-east-1, us-west-2, eu-west-1) is the highest; other regions publish lower figures (the
 * smallest tier 2,400/s, which 4 shards bring to 9,600: there, deploy with `queueShards` 5 or more).
 */
export const HIGH_THROUGHPUT_FIFO_CALLS_PER_SECOND = 70_000;

/** Shards of each queue sharded by order in the deploy profile the model is for (prod's default). */
// alarmEmail=none: the model reads prod's shard count, it deploys nothing that could page anyone.
export const PROD_QUEUE_SHARDS = resolveDeployProfile((key) =>
  key === 'alarmEmail' ? 'none' : undefined,
).queueShards;

export interface ModelAssumptions {
  /** Sellers per payment (each a seller-payable total and a wallet credit). */
  readonly sellersPerPayment: number;
  /** Share of all payments that credit the busiest seller. */
  readonly busiestSellerShare: number;
  /** Wallet shards of the busiest seller (1 unless it is listed as a busy seller). */
  readonly busiestSellerWalletShards: number;
  /** Publisher time per stream record (query the event, send to every queue at once, mark). */
  readonly publishMsPerRecord: number;
  /** WCU one confirm writes into the payments table (the bench's AWS-model figure). */
  readonly confirmWcu: number;
  /** Shards of each queue sharded by order (the deploy profile's `queueShards`). */
  readonly queueShards: number;
}

export const DEFAULT_ASSUMPTIONS: ModelAssumptions = {
  sellersPerPayment: 2,
  busiestSellerShare: 0.1,
  // A marketplace's busiest seller, opted in with `walletShards=<seller>=4`.
  busiestSellerWalletShards: 4,
  publishMsPerRecord: 25,
  confirmWcu: 11,
  queueShards: PROD_QUEUE_SHARDS,
};

export interface Resource {
  readonly name: string;
  /** Units one payment puts on the resource as a whole (all its shards together). */
  readonly perPayment: number;
  readonly unit: 'WCU' | 'calls';
  /** What one shard takes per second. */
  readonly limitPerShard: number;
  readonly shards: number;
  readonly note: string;
}

export interface ModelRow extends Resource {
  /** Payments/s at which the busiest shard reaches its limit (Infinity: no published limit). */
  readonly ceiling: number;
}

export interface ThroughputModel {
  readonly assumptions: ModelAssumptions;
  readonly rows: readonly ModelRow[];
  /**
   * Records/s one stream shard's publisher handles (parallelization factor / time per record) over
   * the payments/s one table partition can write (1,000 WCU/s / WCU per confirm); below 1 it falls behind.
   */
  readonly publisherHeadroom: number;
  readonly ceilingPaymentsPerSecond: number;
  readonly bottleneck: string;
}

/** Payments/s that bring one shard of `resource` to its limit, the load spread evenly over the shards. */
export function ceilingOf(resource: Pick<Resource, 'perPayment' | 'limitPerShard' | 'shards'>): number {
  if (resource.perPayment <= 0) return Number.POSITIVE_INFINITY;
  return (resource.limitPerShard * resource.shards) / resource.perPayment;
}

/** How evenly `hash` spreads `ids` over `shards`: the busiest shard's load over the mean (1 = perfect). */
export function shardSkew(ids: Iterable<string>, shards: number, hash: (id: string) => number): number {
  const counts = new Array<number>(shards).fill(0);
  let total = 0;
  for (const id of ids) {
    const shard = hash(id) % shards;
    counts[shard] = (counts[shard] ?? 0) + 1;
    total++;
  }
  return total === 0 ? 1 : Math.max(...counts) / (total / shards);
}

/** The SQS quota of a queue's send action, by its kind. */
export function sendCallsPerSecond(queues: Topology['queues'], name: QueueName): number {
  const spec = queues[name];
  if (!spec.fifo) return Number.POSITIVE_INFINITY;
  return spec.highThroughput ? HIGH_THROUGHPUT_FIFO_CALLS_PER_SECOND : FIFO_CALLS_PER_SECOND;
}

function queueRow(
  queues: Topology['queues'],
  name: QueueName,
  sendsPerPayment: number,
  shards: number,
  note: string,
): Resource {
  const spec = queues[name];
  const kind = spec.fifo ? (spec.highThroughput ? 'FIFO, high-throughput' : 'FIFO') : 'standard';
  return {
    name: `queue ${name} (${kind}) SendMessage`,
    perPayment: sendsPerPayment,
    unit: 'calls',
    limitPerShard: sendCallsPerSecond(queues, name),
    shards: spec.shardedByOrder ? shards : 1,
    note,
  };
}

export function throughputModel(
  assumptions: ModelAssumptions = DEFAULT_ASSUMPTIONS,
  queues: Topology['queues'] = topology.queues,
): ThroughputModel {
  const a = assumptions;
  // Inside TransactWriteItems every item costs 2 WCU (all these items are under 1 KiB).
  const ledgerTotalsWcu = 2 * (1 + a.sellersPerPayment);
  // A stream shard follows one table partition: at most 1,000 WCU/s of confirms arrive on it.
  const paymentsPerStreamShard = PARTITION_WCU_PER_SECOND / a.confirmWcu;
  const stream = topology.functions.publisher.triggers.find((t) => t.kind === 'stream');
  const publisherPerShard = (stream?.parallelizationFactor ?? 1) * (1_000 / a.publishMsPerRecord);
  const resources: Resource[] = [
    {
      name: 'recovery index partition RECOVERY#<shard>',
      perPayment: 2,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: WORK_INDEX_SHARDS,
      note: 'entered when execution starts, left when it settles',
    },
    {
      name: 'approvalDay index partition DAY#<date>#<shard>',
      perPayment: 1,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: INDEX_SHARDS,
      note: "all of a day's approvals land in the day's shards",
    },
    {
      name: 'incomplete index partition COMPLETION#<shard>',
      perPayment: 2,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: WORK_INDEX_SHARDS,
      note: "entered by the transaction, left by the completion (the publisher's mark writes no entry: publishedSeq is not projected)",
    },
    {
      name: 'ledger totals partition ACCOUNTS#<shard>',
      perPayment: ledgerTotalsWcu,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: LEDGER_TOTAL_SHARDS,
      note: `psp-clearing plus ${a.sellersPerPayment} seller payables, transactional, one shard per transaction`,
    },
    {
      name: 'psp-clearing total item (one per ledger shard)',
      perPayment: 2,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: LEDGER_TOTAL_SHARDS,
      note: 'every ledger transaction moves it',
    },
    {
      name: 'busiest seller wallet item(s)',
      perPayment: 2 * a.busiestSellerShare,
      unit: 'WCU',
      limitPerShard: PARTITION_WCU_PER_SECOND,
      shards: a.busiestSellerWalletShards,
      note: `credited by ${a.busiestSellerShare * 100}% of payments, transactional`,
    },
    queueRow(queues, 'wallet', 1, a.queueShards, "one SendMessageBatch per event, to its orderId's shard"),
    queueRow(queues, 'ledger', 1, a.queueShards, "one SendMessageBatch per event, to its orderId's shard"),
    queueRow(queues, 'completion', 2, 1, 'a report from the wallet and from the ledger consumer'),
  ];
  const rows = resources.map((resource) => ({ ...resource, ceiling: ceilingOf(resource) }));
  const bottleneck = rows.reduce((min, row) => (row.ceiling < min.ceiling ? row : min));
  // Stream shards follow table partitions, so the publisher scales with the table as long as one
  // shard's publisher outpaces what one partition can write.
  const publisherHeadroom = publisherPerShard / paymentsPerStreamShard;
  return {
    assumptions,
    rows,
    publisherHeadroom,
    ceilingPaymentsPerSecond: Math.floor(publisherHeadroom >= 1 ? bottleneck.ceiling : 0),
    bottleneck: publisherHeadroom >= 1 ? bottleneck.name : 'publisher falls behind its stream shard',
  };
}

/** The model as a Markdown table (docs/ARCHITECTURE.md carries this output). */
export function modelTable(model: ThroughputModel): string {
  const figure = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'no limit');
  const lines = [
    '| resource | per payment | AWS limit per shard | shards | ceiling (payments/s) |',
    '| --- | --- | --- | --- | --- |',
    ...model.rows.map(
      (row) =>
        `| ${row.name} (${row.note}) | ${Math.round(row.perPayment * 100) / 100} ${row.unit} | ${figure(row.limitPerShard)} ${row.unit}/s | ${row.shards} | ${figure(row.ceiling)} |`,
    ),
  ];
  return lines.join('\n');
}
