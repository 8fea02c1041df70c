import { topology } from '../../lib/topology';
import { matchesAny } from '../../local/runtime/event-filter';
import { javaMajorVersion } from '../../local/runtime/java';
import { failedIdentifiers, outcomeOf } from '../../local/runtime/partial-batch';
import { scheduleEnvVar } from '../../local/runtime/scheduler';
import { localInventory, planLocalWiring } from '../../local/runtime/wiring';

describe('event filter patterns', () => {
  const outboxRecord = {
    eventName: 'MODIFY',
    dynamodb: { Keys: { sk: { S: '#OUTBOX' } }, NewImage: { seq: { N: '2' } } },
  };
  const eventRecord = { eventName: 'INSERT', dynamodb: { Keys: { sk: { S: 'EVENT#0002' } } } };

  it('matches exact values, prefixes and existence', () => {
    expect(matchesAny([{ dynamodb: { Keys: { sk: { S: ['#OUTBOX'] } } } }], outboxRecord)).toBe(true);
    expect(matchesAny([{ dynamodb: { Keys: { sk: { S: ['#OUTBOX'] } } } }], eventRecord)).toBe(false);
    expect(matchesAny([{ dynamodb: { Keys: { sk: { S: [{ prefix: 'EVENT#' }] } } } }], eventRecord)).toBe(
      true,
    );
    expect(matchesAny([{ dynamodb: { NewImage: { seq: [{ exists: true }] } } }], outboxRecord)).toBe(true);
    expect(matchesAny([{ dynamodb: { NewImage: { seq: [{ exists: false }] } } }], outboxRecord)).toBe(false);
  });

  it('admits to the publisher only a payment-item write that carries a new event', () => {
    const trigger = topology.functions.publisher.triggers[0];
    if (trigger?.kind !== 'stream') throw new Error('the publisher has no stream trigger');
    const paymentWrite = (eventName: string, lastWriter?: string) => ({
      eventName,
      dynamodb: {
        Keys: { pk: { S: 'PAYMENT#o-1' }, sk: { S: '#PAYMENT' } },
        NewImage: { eventSeq: { N: '1' }, ...(lastWriter ? { lastWriter: { S: lastWriter } } : {}) },
      },
    });
    expect(matchesAny(trigger.filters, paymentWrite('MODIFY', 'transaction'))).toBe(true);
    // The checkout's put, state-only updates and leases, the publisher's mark, a completion.
    expect(matchesAny(trigger.filters, paymentWrite('INSERT'))).toBe(false);
    for (const writer of ['state', 'publisher', 'completion']) {
      expect(matchesAny(trigger.filters, paymentWrite('MODIFY', writer))).toBe(false);
    }
    expect(matchesAny(trigger.filters, paymentWrite('REMOVE', 'transaction'))).toBe(false);
    expect(matchesAny(trigger.filters, eventRecord)).toBe(false);
  });

  it('treats several filters as alternatives and no filter as match-all', () => {
    const filters = [{ eventName: ['REMOVE'] }, { eventName: ['INSERT', 'MODIFY'] }];
    expect(matchesAny(filters, outboxRecord)).toBe(true);
    expect(matchesAny([{ eventName: ['REMOVE'] }], outboxRecord)).toBe(false);
    expect(matchesAny([], eventRecord)).toBe(true);
  });
});

describe('partial batch responses', () => {
  const ids = ['a', 'b', 'c', 'd'];

  it('resumes a stream batch from the lowest failed record', () => {
    expect(
      outcomeOf({ batchItemFailures: [{ itemIdentifier: 'd' }, { itemIdentifier: 'b' }] }, ids).succeeded,
    ).toBe(1);
    expect(outcomeOf({ batchItemFailures: [] }, ids).succeeded).toBe(4);
    expect(outcomeOf(undefined, ids).succeeded).toBe(4);
  });

  it('fails the whole batch on an identifier that is empty or unknown', () => {
    expect(outcomeOf({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ids).succeeded).toBe(0);
    expect(outcomeOf({ batchItemFailures: [{ itemIdentifier: '' }] }, ids).succeeded).toBe(0);
    expect(failedIdentifiers({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ids)).toEqual(new Set(ids));
    expect(failedIdentifiers({ batchItemFailures: [{ itemIdentifier: 'c' }] }, ids)).toEqual(new Set(['c']));
  });
});

describe('local runtime helpers', () => {
  it('reads the Java major version from both version schemes', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('garbage')).toBeUndefined();
  });

  it('names schedule overrides after the function', () => {
    expect(scheduleEnvVar('health')).toBe('SCHEDULE_HEALTH_MS');
    expect(scheduleEnvVar('outboxSweeper' as never)).toBe('SCHEDULE_OUTBOX_SWEEPER_MS');
  });

  it('wires every topology element and puts dead-letter queues before their sources', () => {
    const wiring = planLocalWiring(topology);
    const inventory = localInventory(wiring);
    expect(inventory.tables).toEqual(Object.keys(topology.tables));
    expect(inventory.functions).toEqual(Object.keys(topology.functions));
    const names = wiring.queues.map((q) => q.name);
    for (const queue of wiring.queues) {
      if (queue.deadLetter)
        expect(names.indexOf(queue.deadLetter.queue)).toBeLessThan(names.indexOf(queue.name));
      expect(queue.physicalName.endsWith('.fifo')).toBe(queue.fifo);
    }
    expect(inventory.triggers).toContain('http GET /health -> health');
  });
});
