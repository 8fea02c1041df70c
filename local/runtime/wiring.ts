import type { Inventory } from '../../lib/inventory';
import {
  type BucketName,
  type BucketSpec,
  deadLetterQueueName,
  entries,
  type FunctionName,
  type FunctionSpec,
  type HttpTrigger,
  type QueueName,
  type QueueSpec,
  type QueueTrigger,
  type ScheduleTrigger,
  type StreamTrigger,
  type TableName,
  type TableSpec,
  type Topology,
  topology,
  withQueueShards,
} from '../../lib/topology';

/** Shards per queue sharded by order on the laptop: more than one, so every run crosses shards. */
export const LOCAL_QUEUE_SHARDS = 2;

/** The topology the laptop runs: queue shards from `QUEUE_SHARDS` (default 2). */
export function localTopology(env: NodeJS.ProcessEnv = process.env): Topology {
  return withQueueShards(topology, env.QUEUE_SHARDS ? Number(env.QUEUE_SHARDS) : LOCAL_QUEUE_SHARDS);
}

/**
 * What the local runtime provisions and wires, derived from the topology alone.
 * The runtime executes this plan; the parity test compares it with the CDK template.
 */
export interface LocalWiring {
  readonly tables: readonly { name: TableName; spec: TableSpec }[];
  /** Dead-letter queues come first so redrive policies can point at them. */
  readonly queues: readonly LocalQueue[];
  /** Folders standing in for buckets. */
  readonly buckets: readonly { name: BucketName; spec: BucketSpec }[];
  readonly functions: readonly { name: FunctionName; spec: FunctionSpec }[];
  readonly routes: readonly { fn: FunctionName; trigger: HttpTrigger }[];
  readonly streams: readonly { fn: FunctionName; trigger: StreamTrigger }[];
  readonly queueConsumers: readonly { fn: FunctionName; trigger: QueueTrigger }[];
  readonly schedules: readonly { fn: FunctionName; trigger: ScheduleTrigger }[];
}

export interface LocalQueue {
  /** Topology name; a dead-letter queue is `<name>-dlq`. */
  readonly name: string;
  readonly physicalName: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionDays: number;
  readonly deadLetter?: { readonly queue: string; readonly maxReceiveCount: number };
  /** Environment variable that carries this queue's URL to the handlers (main queues only). */
  readonly envVar?: string;
}

function physicalName(name: string, fifo: boolean): string {
  return fifo ? `${name}.fifo` : name;
}

function localQueues(name: QueueName, spec: QueueSpec): LocalQueue[] {
  const main: LocalQueue = {
    name,
    physicalName: physicalName(name, spec.fifo),
    fifo: spec.fifo,
    visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
    retentionDays: spec.retentionDays,
    envVar: spec.envVar,
  };
  if (!spec.deadLetter) return [main];
  const dlq = deadLetterQueueName(name);
  return [
    {
      name: dlq,
      physicalName: physicalName(dlq, spec.fifo),
      fifo: spec.fifo,
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
      retentionDays: 14,
    },
    { ...main, deadLetter: { queue: dlq, maxReceiveCount: spec.deadLetter.maxReceiveCount } },
  ];
}

export function planLocalWiring(topology: Topology): LocalWiring {
  const functions = entries(topology.functions).map(([name, spec]) => ({ name, spec }));
  const triggersOf = <K extends FunctionSpec['triggers'][number]['kind']>(kind: K) =>
    functions.flatMap(({ name, spec }) =>
      spec.triggers
        .filter((t): t is Extract<FunctionSpec['triggers'][number], { kind: K }> => t.kind === kind)
        .map((trigger) => ({ fn: name, trigger })),
    );
  return {
    tables: entries(topology.tables).map(([name, spec]) => ({ name, spec })),
    queues: entries(topology.queues).flatMap(([name, spec]) => localQueues(name, spec)),
    buckets: entries(topology.buckets).map(([name, spec]) => ({ name, spec })),
    functions,
    routes: triggersOf('http'),
    streams: triggersOf('stream'),
    queueConsumers: triggersOf('queue'),
    schedules: triggersOf('schedule'),
  };
}

export function localInventory(wiring: LocalWiring): Inventory {
  return {
    tables: wiring.tables.map((t) => t.name),
    queues: wiring.queues.map((q) => q.name),
    buckets: wiring.buckets.map((b) => b.name),
    functions: wiring.functions.map((f) => f.name),
    triggers: [
      ...wiring.routes.map(({ fn, trigger }) => `http ${trigger.method} ${trigger.path} -> ${fn}`),
      ...wiring.streams.map(({ fn, trigger }) => `stream ${trigger.table} -> ${fn}`),
      ...wiring.queueConsumers.map(({ fn, trigger }) => `queue ${trigger.queue} -> ${fn}`),
      ...wiring.schedules.map(({ fn, trigger }) => `schedule ${trigger.expression} -> ${fn}`),
    ],
  };
}
