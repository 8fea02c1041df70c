import { entries, type Topology, topology } from '../../lib/topology';
import { synthPaymentsApp } from './synth-payments-app';

interface StackTemplate {
  readonly Outputs?: Record<string, { Export?: { Name: string } }>;
}

const exportsOf = (template: StackTemplate) =>
  Object.values(template.Outputs ?? {})
    .map((output) => output.Export?.Name)
    .filter((name): name is string => name !== undefined)
    .sort();

const importsOf = (template: unknown) =>
  [
    ...new Set(
      [...JSON.stringify(template).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1] as string),
    ),
  ].sort();

/** The topology with every queue consumer unsubscribed and stripped of its table and queue grants. */
function withoutConsumers(subject: Topology): Topology {
  const functions = Object.fromEntries(
    entries(subject.functions).map(([name, spec]) =>
      spec.triggers.some((trigger) => trigger.kind === 'queue')
        ? [name, { ...spec, tables: {}, queues: {}, triggers: [] }]
        : [name, spec],
    ),
  );
  return { ...subject, functions } as Topology;
}

describe('cross-stack references', () => {
  let statefulFull: StackTemplate;
  let statelessFull: StackTemplate;
  let statefulFewer: StackTemplate;
  let statelessFewer: StackTemplate;
  beforeAll(() => {
    [statefulFull, statelessFull] = synthPaymentsApp(topology).templates as [StackTemplate, StackTemplate];
    [statefulFewer, statelessFewer] = synthPaymentsApp(withoutConsumers(topology)).templates as [
      StackTemplate,
      StackTemplate,
    ];
  });

  test('every import of the stateless stack is an export the stateful stack declares', () => {
    expect(importsOf(statelessFull).length).toBeGreaterThan(0);
    expect(importsOf(statelessFull).filter((name) => !exportsOf(statefulFull).includes(name))).toEqual([]);
  });

  test('removing subscriptions and grants from the stateless stack leaves the stateful exports unchanged', () => {
    // The smaller stateless stack really imports less, yet the stateful stack drops nothing it imported.
    expect(importsOf(statelessFewer).length).toBeLessThan(importsOf(statelessFull).length);
    expect(exportsOf(statefulFewer)).toEqual(exportsOf(statefulFull));
    expect(importsOf(statelessFull).filter((name) => !exportsOf(statefulFewer).includes(name))).toEqual([]);
  });
});
