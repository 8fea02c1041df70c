import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { shardSkew } from '../../bench/throughput-model';
import { queueShardOf, SqsEventPublisher } from '../../lambdas/adapters/sqs/event-publisher';
import type { DomainEvent } from '../../lambdas/domain/events';
import { entries, type QueueName, topology, withQueueShards } from '../../lib/topology';
import { planLocalWiring } from '../../local/runtime/wiring';

describe('withQueueShards', () => {
  const sharded = withQueueShards(topology, 3);
  const queue = (name: string) => sharded.queues[name as QueueName];

  it('adds shards 1..n-1 of every queue sharded by order as queues of their own, with their own env var', () => {
    expect(Object.keys(sharded.queues).sort()).toEqual(
      [
        'completion',
        'ledger',
        'ledger-1',
        'ledger-2',
        'publishFailures',
        'wallet',
        'wallet-1',
        'wallet-2',
      ].sort(),
    );
    expect(queue('wallet-2')).toEqual({ ...topology.queues.wallet, envVar: 'WALLET_QUEUE_URL_2' });
    expect(queue('ledger-1')?.envVar).toBe('LEDGER_QUEUE_URL_1');
  });

  it('gives each function the same access to every shard, and one queue trigger per shard', () => {
    expect(sharded.functions.publisher.queues).toEqual({
      wallet: 'send',
      'wallet-1': 'send',
      'wallet-2': 'send',
      ledger: 'send',
      'ledger-1': 'send',
      'ledger-2': 'send',
    });
    expect(sharded.functions.wallet.queues).toMatchObject({ 'wallet-2': 'consume', completion: 'send' });
    expect(sharded.functions.wallet.triggers.map((t) => (t.kind === 'queue' ? t.queue : t.kind))).toEqual([
      'wallet',
      'wallet-1',
      'wallet-2',
    ]);
    // The completion queue is standard and keeps the highest seq: never sharded.
    expect(sharded.functions.completion.triggers).toEqual(topology.functions.completion.triggers);
  });

  it('is the topology itself at one shard, and refuses what cannot deploy', () => {
    expect(withQueueShards(topology, 1)).toBe(topology);
    for (const shards of [0, 1.5, 33, Number.NaN])
      expect(() => withQueueShards(topology, shards)).toThrow(/shards/);
  });

  it('plans a DLQ per shard on the laptop, as CDK creates them', () => {
    const names = planLocalWiring(sharded).queues.map((q) => q.name);
    for (const [name, spec] of entries(sharded.queues)) {
      expect(names).toContain(name);
      if (spec.deadLetter) expect(names).toContain(`${name}-dlq`);
    }
  });
});

describe('publishing to sharded queues', () => {
  const event = (orderId: string, seq: number) =>
    ({ eventId: `${orderId}:${seq}`, orderId, seq, type: 'PaymentConfirmed' }) as unknown as DomainEvent;

  it('sends every event of a payment to the same shard of every subscriber, the shard of its orderId', async () => {
    const sent: { url: string; groups: string[] }[] = [];
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        sent.push({
          url: command.input.QueueUrl ?? '',
          groups: (command.input.Entries ?? []).map((e) => e.MessageGroupId ?? ''),
        });
        return { Successful: [], Failed: [] };
      },
    } as unknown as SQSClient;
    const wallet = ['w0', 'w1', 'w2', 'w3'];
    const ledger = ['l0', 'l1', 'l2', 'l3'];
    const publisher = new SqsEventPublisher(client, [wallet, ledger]);
    const orders = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    await publisher.publish(orders.flatMap((orderId) => [event(orderId, 1), event(orderId, 2)]));
    for (const orderId of orders) {
      const shard = queueShardOf(orderId, 4);
      const carrying = sent.filter((s) => s.groups.includes(orderId)).map((s) => s.url);
      expect(carrying.sort()).toEqual([`l${shard}`, `w${shard}`]);
    }
  });

  it('keeps a single queue URL working as one shard', async () => {
    const urls: string[] = [];
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        urls.push(command.input.QueueUrl ?? '');
        return {};
      },
    } as unknown as SQSClient;
    await new SqsEventPublisher(client, ['wallet', 'ledger']).publish([event('o-1', 1)]);
    expect(urls.sort()).toEqual(['ledger', 'wallet']);
  });

  it('spreads orders evenly over the shards', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `2026-12-06-${i.toString(36)}-shop`);
    expect(shardSkew(ids, 8, (id) => queueShardOf(id, 8))).toBeLessThan(1.05);
  });
});
