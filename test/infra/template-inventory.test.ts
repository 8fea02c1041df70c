import { type Inventory, sortedInventory } from '../../lib/inventory';
import { deadLetterQueueName, entries, type Topology, type Trigger, topology } from '../../lib/topology';
import { templateInventory } from '../support/template-inventory';
import { fullTopology } from './fixtures/full-topology';
import { synthPaymentsApp } from './synth-payments-app';

/** What the topology says should exist, in the inventory's line formats. */
function declaredInventory(subject: Topology): Inventory {
  const triggerLine = (trigger: Trigger): string => {
    switch (trigger.kind) {
      case 'http':
        return `http ${trigger.method} ${trigger.path}`;
      case 'stream':
        return `stream ${trigger.table}`;
      case 'queue':
        return `queue ${trigger.queue}`;
      case 'schedule':
        return `schedule ${trigger.expression}`;
    }
  };
  return sortedInventory({
    tables: Object.keys(subject.tables),
    queues: entries(subject.queues).flatMap(([name, spec]) =>
      spec.deadLetter ? [name, deadLetterQueueName(name)] : [name],
    ),
    buckets: Object.keys(subject.buckets),
    functions: Object.keys(subject.functions),
    triggers: entries(subject.functions).flatMap(([name, spec]) =>
      spec.triggers.map((trigger) => `${triggerLine(trigger)} -> ${name}`),
    ),
  });
}

describe.each<[string, Topology]>([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('templateInventory (%s)', (_label, subject) => {
  test('reads back from both stacks exactly what the topology declares', () => {
    const { templates } = synthPaymentsApp(subject);
    expect(templateInventory(templates)).toEqual(declaredInventory(subject));
  });
});
