import { STACK_TAG, stackNames, TOPOLOGY_TAG, topology } from '../../lib/topology';
import { synthPaymentsApp } from './synth-payments-app';

type Tag = { Key: string; Value: string };

/** Tags of a resource, whichever of CloudFormation's two shapes it uses (list, or map for some types). */
function tagsOf(properties: { Tags?: Tag[] | Record<string, string> } | undefined): Record<string, string> {
  const tags = properties?.Tags;
  if (!tags) return {};
  return Array.isArray(tags) ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : tags;
}

describe('stack-qualified tags (what `ops --aws --stack` looks resources up by)', () => {
  test('every topology-tagged resource also names its own stack, so two copies never mix', () => {
    const synth = synthPaymentsApp(topology);
    const names = stackNames('Payments');
    const byStack = [
      [names.stateful, synth.statefulTemplate],
      [names.stateless, synth.statelessTemplate],
    ] as const;
    let tagged = 0;
    for (const [stackName, template] of byStack) {
      for (const [id, resource] of Object.entries(template.toJSON().Resources ?? {})) {
        const tags = tagsOf((resource as { Properties?: { Tags?: Tag[] } }).Properties);
        if (!tags[TOPOLOGY_TAG]) continue;
        tagged++;
        expect({ id, stack: tags[STACK_TAG] }).toEqual({ id, stack: stackName });
      }
    }
    const queues = Object.values(topology.queues).reduce((n, q) => n + ('deadLetter' in q ? 2 : 1), 0);
    const expected =
      Object.keys(topology.tables).length +
      queues +
      Object.keys(topology.buckets).length +
      Object.keys(topology.functions).length;
    expect(tagged).toBe(expected);
  });
});
