import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { entries, type QueueName, type Topology, topology } from '../../lib/topology';
import { fullTopology } from './fixtures/full-topology';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Rules the topology must keep whatever gets added to it; checked without synthesizing anything. */
describe.each<[string, Topology]>([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('topology invariants (%s)', (_label, subject) => {
  const functions = entries(subject.functions);
  const triggers = functions.flatMap(([name, spec]) =>
    spec.triggers.map((trigger) => ({ name, spec, trigger })),
  );

  test('a consumed queue stays invisible for at least 6x its consumer timeout', () => {
    for (const { name, spec, trigger } of triggers) {
      if (trigger.kind !== 'queue') continue;
      const visibility = subject.queues[trigger.queue].visibilityTimeoutSeconds;
      expect({ name, ok: visibility >= 6 * spec.timeoutSeconds }).toEqual({ name, ok: true });
    }
  });

  test('FIFO queues dead-letter after at least 5 receives', () => {
    for (const [name, spec] of entries(subject.queues)) {
      if (!spec.fifo) continue;
      expect({ name, deadLetterAfterFiveOrMore: (spec.deadLetter?.maxReceiveCount ?? 0) >= 5 }).toEqual({
        name,
        deadLetterAfterFiveOrMore: true,
      });
    }
  });

  test('stream triggers read tables with streams and fail over to standard queues', () => {
    for (const { trigger } of triggers) {
      if (trigger.kind !== 'stream') continue;
      expect(subject.tables[trigger.table].stream).toBe('NEW_AND_OLD_IMAGES');
      expect(subject.queues[trigger.onFailureQueue].fifo).toBe(false);
    }
  });

  test('only queues with a dead-letter queue can be redriven', () => {
    for (const [name, spec] of functions) {
      for (const [queue, access] of Object.entries(spec.queues)) {
        if (access !== 'redrive') continue;
        const deadLetter = subject.queues[queue as QueueName].deadLetter !== undefined;
        expect({ name, queue, deadLetter }).toEqual({
          name,
          queue,
          deadLetter: true,
        });
      }
    }
  });

  test('routes and environment variable names are unique', () => {
    const routes = triggers.flatMap(({ trigger }) =>
      trigger.kind === 'http' ? [`${trigger.method} ${trigger.path}`] : [],
    );
    expect(new Set(routes).size).toBe(routes.length);
    const envVars = [
      ...[...Object.values(subject.tables), ...Object.values(subject.queues)].map((spec) => spec.envVar),
      ...Object.values(subject.buckets).flatMap((spec) => [spec.envVar, spec.localDirEnvVar]),
    ];
    expect(new Set(envVars).size).toBe(envVars.length);
  });

  test('every handler entry exists', () => {
    for (const [name, spec] of functions) {
      expect({ name, exists: existsSync(path.join(REPO_ROOT, spec.entry)) }).toEqual({ name, exists: true });
    }
  });
});
