/**
 * The system's wiring, declared once. The CDK constructs (lib/constructs) and the
 * local runtime (local/runtime) both derive everything from this module, so the
 * laptop cannot drift from the cloud. Pure data: no CDK or SDK imports here.
 */

export type KeyType = 'S' | 'N';
export interface KeySpec {
  readonly name: string;
  readonly type: KeyType;
}

/** What an index copies beside the keys: nothing, or only the named attributes its readers use. */
export type IndexProjection = 'KEYS_ONLY' | { readonly include: readonly string[] };

export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  /** Every write that changes a projected attribute also writes the index, so project little. */
  readonly projection: IndexProjection;
}

export interface TableSpec {
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  readonly indexes: readonly IndexSpec[];
  readonly stream?: 'NEW_AND_OLD_IMAGES';
  readonly ttlAttribute?: string;
  /** Environment variable through which functions learn the table's name. */
  readonly envVar: string;
}

export interface QueueSpec {
  readonly fifo: boolean;
  /**
   * Sharded by order (`withQueueShards`): shard 0 is this queue, shard k the queue `<name>-<k>` with
   * its own DLQ, env var `<envVar>_<k>` and event source mapping; a payment's events all go to the
   * shard of its orderId, so their order holds while no one queue takes every payment.
   */
  readonly shardedByOrder?: boolean;
  /**
   * FIFO high-throughput mode (throughput limit and deduplication per message group): far above
   * the 300 calls/s a FIFO queue takes otherwise. Order still holds within each group (orderId).
   */
  readonly highThroughput?: boolean;
  /** Absent for queues that are themselves a dead-letter destination. */
  readonly deadLetter?: { readonly maxReceiveCount: number };
  readonly visibilityTimeoutSeconds: number;
  readonly retentionDays: number;
  readonly envVar: string;
}

/** An object store (S3 in AWS, a folder on the laptop). */
export interface BucketSpec {
  /** Environment variable through which functions learn the bucket's name (AWS). */
  readonly envVar: string;
  /** Environment variable through which functions learn the bucket's folder (local runtime). */
  readonly localDirEnvVar: string;
}

export type HttpMethod = 'GET' | 'POST';

/**
 * Who may call a route: `public` needs no credentials; `shop` (the merchant's backend) and `operator`
 * (back office, ops CLI) sign with SigV4. An operator may call every route a shop may.
 */
export type CallerKind = 'public' | 'shop' | 'operator';

/** A route open to anyone says why; signed routes name the least caller kind allowed. */
export type RouteAccess =
  | {
      readonly caller: 'public';
      /** Why this route takes no credentials (recorded as its cdk-nag acknowledgement). */
      readonly publicBecause: string;
    }
  | { readonly caller: Exclude<CallerKind, 'public'> };

/** A method-level API Gateway throttle: the route's own token bucket, below the stage's. */
export interface RouteThrottle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests API Gateway admits at once above the rate. */
  readonly burstLimit: number;
}

export type HttpTrigger = {
  readonly kind: 'http';
  readonly method: HttpMethod;
  /** API Gateway resource path, e.g. `/payments/{orderId}`. */
  readonly path: string;
  /** Absent: the stage's throttle. Deployed only (the local front door does not throttle). */
  readonly throttle?: RouteThrottle;
} & RouteAccess;

/** Lambda event filter pattern (the subset the local runtime evaluates). */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly FilterValue[] };
export type FilterValue = string | number | { readonly exists: boolean } | { readonly prefix: string };

export interface StreamTrigger {
  readonly kind: 'stream';
  readonly table: TableName;
  readonly filters: readonly FilterPattern[];
  readonly batchSize: number;
  readonly parallelizationFactor: number;
  readonly bisectOnError: boolean;
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  /** Standard (not FIFO) queue: Lambda refuses FIFO on-failure destinations for streams. */
  readonly onFailureQueue: QueueName;
}

export interface QueueTrigger {
  readonly kind: 'queue';
  readonly queue: QueueName;
  readonly batchSize: number;
}

/** Time zone of every `cron(...)` schedule: the PSP's business day is a calendar day in Seoul. */
export const SCHEDULE_TIME_ZONE = 'Asia/Seoul';

export interface ScheduleTrigger {
  readonly kind: 'schedule';
  /** EventBridge schedule expression, e.g. `rate(1 minute)`; a `cron(...)` is in `SCHEDULE_TIME_ZONE`. */
  readonly expression: string;
  /** Cadence of the local runtime; overridable by env `SCHEDULE_<FUNCTION>_MS`. */
  readonly localEveryMs: number;
}

export type Trigger = HttpTrigger | StreamTrigger | QueueTrigger | ScheduleTrigger;

/** DynamoDB item actions (IAM names without `dynamodb:`); a TransactWriteItems needs each of its items' actions. */
export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

/** Exactly the DynamoDB actions a function's code calls on a table, and the indexes it queries. */
export interface TableAccess {
  readonly actions: readonly ItemAction[];
  /** Index names the function queries (`dynamodb:Query` on `<table>/index/<name>`, nothing else). */
  readonly indexQueries?: readonly string[];
}

/** Powertools idempotency records (DynamoDBPersistenceLayer): get, put, update, delete one item. */
const IDEMPOTENCY_RECORDS: TableAccess = { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] };
export type QueueAccess = 'send' | 'consume' | 'redrive';
export type BucketAccess = 'write';

export interface FunctionSpec {
  /** Path of the handler module relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly tables: Readonly<Partial<Record<TableName, TableAccess>>>;
  readonly queues: Readonly<Partial<Record<QueueName, QueueAccess>>>;
  readonly buckets?: Readonly<Partial<Record<BucketName, BucketAccess>>>;
  /** Needs the PSP's base URL and secret key. */
  readonly psp: boolean;
  /** Learns whether the PSP secret is set (`secretsmanager:DescribeSecret`), never its value. */
  readonly pspSecretStatus?: boolean;
  /** Derives order ids: needs the order-id secret. */
  readonly orderIdSecret?: boolean;
  readonly triggers: readonly Trigger[];
}

const tables = {
  payments: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [
      // Sparse: present only while a payment is EXECUTING or UNKNOWN.
      {
        name: 'recovery',
        partitionKey: { name: 'recoveryShard', type: 'S' },
        sortKey: { name: 'recoveryDueAt', type: 'S' },
        // Recovery claims each due payment by key and gets the item back from the claim.
        projection: 'KEYS_ONLY',
      },
      // Sparse: approved payments by day, for reconciliation.
      {
        name: 'approvalDay',
        partitionKey: { name: 'approvalDayShard', type: 'S' },
        sortKey: { name: 'orderId', type: 'S' },
        // What reconciliation classifies by; a cancel rewrites the entry, a confirm writes it once.
        projection: { include: ['status', 'amount', 'balanceAmount', 'paymentKey', 'cancels'] },
      },
      // Sparse: payments whose latest event some consumer has not reported applied yet (published or
      // not: the outbox sweeper takes the entries with publishedSeq < eventSeq, the completion sweeper all).
      {
        name: 'incomplete',
        partitionKey: { name: 'incompleteShard', type: 'S' },
        sortKey: { name: 'incompleteSince', type: 'S' },
        // Both sweepers republish from the event items: keys and seq are enough. `publishedSeq` stays
        // out, so the publisher's mark writes no index entry; the outbox sweeper reads it per stale entry.
        projection: { include: ['eventSeq'] },
      },
    ],
    stream: 'NEW_AND_OLD_IMAGES',
    envVar: 'PAYMENTS_TABLE',
  },
  idempotency: {
    partitionKey: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiration',
    envVar: 'IDEMPOTENCY_TABLE',
  },
  // Owned by the wallet consumer: seller balances, processed-event markers, per-payment cursors.
  wallets: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [],
    envVar: 'WALLETS_TABLE',
  },
  // Owned by the ledger consumer: immutable journal transactions, account totals, cursors.
  ledger: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [],
    envVar: 'LEDGER_TABLE',
  },
} as const satisfies Record<string, TableSpec>;

/** Consumers of payment events time out after this; their queues stay invisible 6× as long. */
const CONSUMER_TIMEOUT_SECONDS = 10;
const consumerQueue = (envVar: string) =>
  ({
    fifo: true,
    shardedByOrder: true,
    highThroughput: true,
    deadLetter: { maxReceiveCount: 5 },
    visibilityTimeoutSeconds: 6 * CONSUMER_TIMEOUT_SECONDS,
    retentionDays: 14,
    envVar,
  }) as const;

const queues = {
  wallet: consumerQueue('WALLET_QUEUE_URL'),
  ledger: consumerQueue('LEDGER_QUEUE_URL'),
  // Standard, not FIFO: a FIFO queue without high-throughput mode takes 300 calls/s, and each
  // payment sends it two reports; completion keeps the highest seq, so order and repeats are harmless.
  completion: {
    ...consumerQueue('COMPLETION_QUEUE_URL'),
    fifo: false,
    highThroughput: false,
    shardedByOrder: false,
  },
  publishFailures: {
    fifo: false,
    visibilityTimeoutSeconds: 60,
    retentionDays: 14,
    envVar: 'PUBLISH_FAILURES_QUEUE_URL',
  },
} as const satisfies Record<string, QueueSpec>;

// Reconciliation reports (JSON summary, CSV of discrepancies), kept as versions for the audit trail.
const buckets = {
  reports: { envVar: 'REPORTS_BUCKET', localDirEnvVar: 'REPORTS_DIR' },
} as const satisfies Record<string, BucketSpec>;

export type TableName = keyof typeof tables;
/**
 * A queue's topology name. The shards `withQueueShards` adds (`wallet-1`, ...) are queues of their
 * own at run time under this same type: whatever reads a topology treats them like any queue.
 */
export type QueueName = keyof typeof queues;
export type BucketName = keyof typeof buckets;

const functions = {
  health: {
    entry: 'lambdas/handlers/health.ts',
    memoryMb: 256,
    timeoutSeconds: 3,
    tables: {},
    queues: {},
    // Says whether the PSP secret is set (`degraded` while empty) from its metadata, never its value.
    psp: false,
    pspSecretStatus: true,
    triggers: [
      {
        kind: 'http',
        method: 'GET',
        path: '/health',
        caller: 'public',
        publicBecause:
          'Load balancers and uptime probes call it without credentials; it answers only liveness and whether the PSP is configured, never data or secrets.',
      },
    ],
  },
  checkout: {
    entry: 'lambdas/handlers/checkout.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: { payments: { actions: ['PutItem'] }, idempotency: IDEMPOTENCY_RECORDS },
    queues: {},
    psp: false,
    orderIdSecret: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/checkouts', caller: 'shop' }],
  },
  confirmPayment: {
    entry: 'lambdas/handlers/confirm-payment.ts',
    memoryMb: 512,
    // Room for the PSP retry budget plus recording the outcome; API Gateway itself stops at 29 s.
    timeoutSeconds: 28,
    tables: { payments: { actions: ['Query', 'UpdateItem', 'PutItem'] }, idempotency: IDEMPOTENCY_RECORDS },
    queues: {},
    psp: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/payments/confirm', caller: 'shop' }],
  },
  getPayment: {
    entry: 'lambdas/handlers/get-payment.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    // Wallets and ledger: the consumers' per-payment cursors, read while the latest event is in flight.
    tables: {
      payments: { actions: ['Query'] },
      wallets: { actions: ['GetItem'] },
      ledger: { actions: ['GetItem'] },
    },
    queues: {},
    psp: false,
    triggers: [{ kind: 'http', method: 'GET', path: '/payments/{orderId}', caller: 'shop' }],
  },
  cancelPayment: {
    entry: 'lambdas/handlers/cancel-payment.ts',
    memoryMb: 512,
    timeoutSeconds: 28,
    tables: { payments: { actions: ['Query', 'UpdateItem', 'PutItem'] }, idempotency: IDEMPOTENCY_RECORDS },
    queues: {},
    psp: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/payments/{orderId}/cancel', caller: 'shop' }],
  },
  // The PSP's status-change webhooks: the body is a hint, the order is checked at the PSP.
  pspWebhook: {
    entry: 'lambdas/handlers/psp-webhook.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    // GetItem: the end of a look re-reads the payment item for hints that came in meanwhile.
    tables: { payments: { actions: ['UpdateItem', 'PutItem', 'GetItem'] } },
    queues: {},
    psp: true,
    triggers: [
      {
        kind: 'http',
        method: 'POST',
        path: '/webhooks/toss',
        caller: 'public',
        // Anyone can post here: a flood is held to this bucket, half the stage's, so its Lambda
        // concurrency and table writes cannot crowd out the shop's calls (each webhook is only a hint).
        throttle: { rateLimit: 50, burstLimit: 100 },
        publicBecause:
          'Toss posts status-change webhooks without AWS credentials; the body is only a hint (the order is checked at the PSP), answers are identical for any order, and the work per call is bounded.',
      },
    ],
  },
  publisher: {
    entry: 'lambdas/handlers/publisher.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    tables: { payments: { actions: ['Query', 'UpdateItem'] } },
    queues: { wallet: 'send', ledger: 'send' },
    psp: false,
    triggers: [
      {
        kind: 'stream',
        table: 'payments',
        // Only payment-item writes that carry a new event (a business transaction): every other
        // writer signs itself (`lastWriter = state | publisher | completion`), so none triggers a send.
        filters: [
          {
            eventName: ['MODIFY'],
            dynamodb: { Keys: { sk: { S: ['#PAYMENT'] } }, NewImage: { lastWriter: { S: ['transaction'] } } },
          },
        ],
        batchSize: 10,
        // Lambda keeps records of one partition key (one payment) in order at any factor; 10
        // concurrent batches per stream shard keep the publisher ahead of its table partition.
        parallelizationFactor: 10,
        bisectOnError: true,
        maxRetryAttempts: 10,
        maxRecordAgeSeconds: 3600,
        onFailureQueue: 'publishFailures',
      },
    ],
  },
  outboxSweeper: {
    entry: 'lambdas/handlers/outbox-sweeper.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    reservedConcurrency: 1,
    tables: { payments: { actions: ['Query', 'UpdateItem'], indexQueries: ['incomplete'] } },
    queues: { wallet: 'send', ledger: 'send' },
    psp: false,
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEveryMs: 10_000 }],
  },
  // No reserved concurrency (a fresh account has little to give); one run a minute does not overlap.
  completionSweeper: {
    entry: 'lambdas/handlers/completion-sweeper.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    tables: { payments: { actions: ['Query', 'GetItem', 'UpdateItem'], indexQueries: ['incomplete'] } },
    queues: { wallet: 'send', ledger: 'send' },
    psp: false,
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEveryMs: 10_000 }],
  },
  recovery: {
    entry: 'lambdas/handlers/recovery.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    // The bulkhead: recovery never takes more than this from the account's concurrency,
    // and overlapping runs are made harmless by per-payment leases.
    reservedConcurrency: 2,
    tables: {
      payments: { actions: ['Query', 'GetItem', 'UpdateItem', 'PutItem'], indexQueries: ['recovery'] },
    },
    queues: {},
    psp: true,
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEveryMs: 15_000 }],
  },
  wallet: {
    entry: 'lambdas/handlers/wallet-consumer.ts',
    memoryMb: 512,
    timeoutSeconds: CONSUMER_TIMEOUT_SECONDS,
    tables: { wallets: { actions: ['PutItem', 'UpdateItem'] } },
    queues: { wallet: 'consume', completion: 'send' },
    psp: false,
    triggers: [{ kind: 'queue', queue: 'wallet', batchSize: 10 }],
  },
  ledger: {
    entry: 'lambdas/handlers/ledger-consumer.ts',
    memoryMb: 512,
    timeoutSeconds: CONSUMER_TIMEOUT_SECONDS,
    tables: { ledger: { actions: ['PutItem', 'UpdateItem'] } },
    queues: { ledger: 'consume', completion: 'send' },
    psp: false,
    triggers: [{ kind: 'queue', queue: 'ledger', batchSize: 10 }],
  },
  completion: {
    entry: 'lambdas/handlers/completion-consumer.ts',
    memoryMb: 256,
    timeoutSeconds: CONSUMER_TIMEOUT_SECONDS,
    // Wallets and ledger: the consumers' per-payment cursors, compared once a payment completes.
    tables: {
      payments: { actions: ['PutItem', 'ConditionCheckItem', 'UpdateItem'] },
      wallets: { actions: ['GetItem'] },
      ledger: { actions: ['GetItem'] },
    },
    queues: { completion: 'consume' },
    psp: false,
    triggers: [{ kind: 'queue', queue: 'completion', batchSize: 10 }],
  },
  getWallet: {
    entry: 'lambdas/handlers/get-wallet.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { wallets: { actions: ['BatchGetItem'] } },
    queues: {},
    psp: false,
    triggers: [{ kind: 'http', method: 'GET', path: '/sellers/{sellerId}/wallet', caller: 'operator' }],
  },
  trialBalance: {
    entry: 'lambdas/handlers/trial-balance.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { ledger: { actions: ['Query'] } },
    queues: {},
    psp: false,
    triggers: [{ kind: 'http', method: 'GET', path: '/ledger/trial-balance', caller: 'operator' }],
  },
  reconciliation: {
    entry: 'lambdas/handlers/reconciliation.ts',
    // The day is merged in partitions, so memory stays bounded; the time goes to paging the PSP.
    memoryMb: 1024,
    timeoutSeconds: 900,
    tables: {
      payments: {
        actions: ['Query', 'BatchGetItem', 'PutItem', 'UpdateItem'],
        indexQueries: ['approvalDay'],
      },
      // The wallets' total balance is a scan of the (small) wallets table, once a night.
      wallets: { actions: ['Scan'] },
      // Reads the account totals; records the PSP's fees of a settled day (journal, marker, totals).
      ledger: { actions: ['Query', 'GetItem', 'PutItem', 'UpdateItem'] },
    },
    queues: {},
    buckets: { reports: 'write' },
    psp: true,
    // 06:00 in Asia/Seoul: the day before has closed (its rows appear from the next day, plus the
    // settlement lag); the run also catches up days left open and re-checks the newest closed ones.
    triggers: [{ kind: 'schedule', expression: 'cron(0 6 * * ? *)', localEveryMs: 3_600_000 }],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export interface Topology {
  readonly tables: Readonly<Record<TableName, TableSpec>>;
  readonly queues: Readonly<Record<QueueName, QueueSpec>>;
  readonly buckets: Readonly<Record<BucketName, BucketSpec>>;
  readonly functions: Readonly<Record<FunctionName, FunctionSpec>>;
}

export const topology: Topology = { tables, queues, buckets, functions };

/** Tag that maps a deployed resource back to its topology name (tables, queues, `<queue>-dlq`, functions). */
export const TOPOLOGY_TAG = 'payments:topology';

/**
 * Tag naming the stack a deployed resource belongs to (`<prefix>StatefulStack` or
 * `<prefix>StatelessStack`), so tooling acting on one deployed copy never touches another.
 */
export const STACK_TAG = 'payments:stack';

/** The two stack names of the copy deployed with `stackPrefix`. */
export function stackNames(stackPrefix: string): { stateful: string; stateless: string } {
  return { stateful: `${stackPrefix}StatefulStack`, stateless: `${stackPrefix}StatelessStack` };
}

/** The copy a stack name belongs to: `PaymentsStatefulStack` and `PaymentsStatelessStack` are `Payments`. */
export function stackPrefixOf(stackName: string): string {
  return stackName.replace(/(Stateful|Stateless)Stack$/, '');
}

/** Topology name of the dead-letter queue that belongs to queue `name`. */
export function deadLetterQueueName(name: string): string {
  return `${name}-dlq`;
}

export function entries<K extends string, V>(record: Readonly<Record<K, V>>): [K, V][] {
  return Object.entries(record) as [K, V][];
}

/** Most shards per sharded queue: each is a FIFO queue, a DLQ and an event source mapping. */
export const MAX_QUEUE_SHARDS = 32;

/** The topology name of shard `shard` of queue `name`: shard 0 keeps the plain name. */
export function queueShardName(name: QueueName, shard: number): QueueName {
  return shard === 0 ? name : (`${name}-${shard}` as QueueName);
}

/** The env var carrying shard `shard`'s URL: shard 0 keeps the plain one. */
export function queueShardEnvVar(envVar: string, shard: number): string {
  return shard === 0 ? envVar : `${envVar}_${shard}`;
}

/**
 * `base` with every `shardedByOrder` queue in `shards` shards: the extra shards are queues of their
 * own (same spec, own DLQ and env var), every function that sends to or consumes the queue gets the
 * same access to each shard, and every queue trigger becomes one per shard. With 1 shard, `base`
 * itself. CDK and the local runtime both build from the result, so both have N queues, N DLQs and
 * N event source mappings per consumer.
 */
export function withQueueShards(base: Topology, shards: number): Topology {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_QUEUE_SHARDS)
    throw new Error(`queue shards must be an integer from 1 to ${MAX_QUEUE_SHARDS}, got ${shards}`);
  if (shards === 1) return base;
  const sharded = entries(base.queues).filter(([, spec]) => spec.shardedByOrder);
  const extra = (name: QueueName) =>
    Array.from({ length: shards - 1 }, (_, k) => queueShardName(name, k + 1));
  const queues: Partial<Record<QueueName, QueueSpec>> = { ...base.queues };
  for (const [name, spec] of sharded) {
    extra(name).forEach((shard, k) => {
      queues[shard] = { ...spec, envVar: queueShardEnvVar(spec.envVar, k + 1) };
    });
  }
  const isSharded = (name: QueueName) => sharded.some(([queue]) => queue === name);
  const functions = Object.fromEntries(
    entries(base.functions).map(([fn, spec]) => {
      const access: Partial<Record<QueueName, QueueAccess>> = { ...spec.queues };
      for (const [queue, kind] of Object.entries(spec.queues) as [QueueName, QueueAccess][]) {
        if (kind && isSharded(queue)) for (const shard of extra(queue)) access[shard] = kind;
      }
      const triggers = spec.triggers.flatMap((trigger) =>
        trigger.kind === 'queue' && isSharded(trigger.queue)
          ? [trigger, ...extra(trigger.queue).map((queue) => ({ ...trigger, queue }))]
          : [trigger],
      );
      return [fn, { ...spec, queues: access, triggers }];
    }),
  ) as unknown as Record<FunctionName, FunctionSpec>;
  return { ...base, queues: queues as Topology['queues'], functions };
}
