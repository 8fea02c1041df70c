import { type Inventory, sortedInventory } from '../../lib/inventory';
import {
  type BucketSpec,
  type QueueSpec,
  type Topology,
  topology,
  withQueueShards,
} from '../../lib/topology';
import { localInventory, planLocalWiring } from '../../local/runtime/wiring';
import { templateInventory } from '../support/template-inventory';
import { synthPaymentsApp } from './synth-payments-app';

const cloudInventory = (t: Topology): Inventory =>
  sortedInventory(templateInventory(synthPaymentsApp(t).templates));
const laptopInventory = (t: Topology): Inventory => sortedInventory(localInventory(planLocalWiring(t)));

describe('topology parity: the CDK template and the local runtime hold the same system', () => {
  it('has the same tables, queues, buckets, functions and triggers on both sides', () => {
    const cloud = cloudInventory(topology);
    expect(cloud).toEqual(laptopInventory(topology));
    // Guard against a vacuous pass: both sides really list the topology's elements.
    expect(cloud.tables).toEqual(Object.keys(topology.tables).sort());
    expect(cloud.buckets).toEqual(Object.keys(topology.buckets).sort());
    expect(cloud.functions).toEqual(Object.keys(topology.functions).sort());
    expect(cloud.triggers).toContain('http POST /payments/confirm -> confirmPayment');
  });

  it('shards the consumer queues alike: N queues, N DLQs and N event source mappings per consumer', () => {
    const sharded = withQueueShards(topology, 3);
    const cloud = cloudInventory(sharded);
    expect(cloud).toEqual(laptopInventory(sharded));
    for (const queue of ['wallet', 'ledger']) {
      const shards = [queue, `${queue}-1`, `${queue}-2`];
      expect(cloud.queues).toEqual(expect.arrayContaining([...shards, ...shards.map((s) => `${s}-dlq`)]));
      for (const shard of shards) expect(cloud.triggers).toContain(`queue ${shard} -> ${queue}`);
    }
    expect(cloud.queues).not.toContain('completion-1');
  });

  it('notices a queue that only one side has', () => {
    const extra: QueueSpec = {
      fifo: true,
      deadLetter: { maxReceiveCount: 5 },
      visibilityTimeoutSeconds: 60,
      retentionDays: 4,
      envVar: 'EXTRA_QUEUE_URL',
    };
    const widened = { ...topology, queues: { ...topology.queues, extra } } as Topology;
    const cloudWithExtra = cloudInventory(widened);
    expect(cloudWithExtra.queues).toEqual(expect.arrayContaining(['extra', 'extra-dlq']));
    expect(cloudWithExtra).not.toEqual(laptopInventory(topology));
    expect(laptopInventory(widened)).not.toEqual(cloudInventory(topology));
  });

  it('notices a bucket that only one side has', () => {
    const extra: BucketSpec = { envVar: 'EXTRA_BUCKET', localDirEnvVar: 'EXTRA_DIR' };
    const widened = { ...topology, buckets: { ...topology.buckets, extra } } as Topology;
    expect(cloudInventory(widened).buckets).toContain('extra');
    expect(laptopInventory(widened)).not.toEqual(cloudInventory(topology));
  });
});
