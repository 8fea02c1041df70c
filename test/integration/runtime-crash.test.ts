/**
 * A crashed local runtime leaves nothing behind: `kill -9` of the `npm start` launcher or of the
 * runtime process itself ends DynamoDB Local's JVM (and the runtime) within seconds, so the next
 * start finds its ports and data folder free.
 */

import { type StartedLocalStack, startLocalStack, stopLocalStack } from '../support/local-stack';
import { descendants, gone, isDynamoDbLocal } from '../support/processes';

describe('local runtime crash', () => {
  let stack: StartedLocalStack | undefined;
  afterEach(async () => {
    // Whatever the test did, nothing it started outlives it.
    if (stack) await stopLocalStack(stack.process);
    stack = undefined;
  });

  it.each([
    ['the npm start launcher', (launcher: number, _runtime: number) => launcher],
    ['the runtime process', (_launcher: number, runtime: number) => runtime],
  ])(
    'kill -9 of %s leaves no java and no runtime behind',
    async (_, victim) => {
      stack = await startLocalStack();
      const launcher = stack.process.pid as number;
      const tree = descendants(launcher);
      const java = tree.filter(isDynamoDbLocal);
      const runtime = tree.find((p) => p.ppid === launcher);
      expect(java).toHaveLength(1);
      expect(runtime).toBeDefined();

      process.kill(victim(launcher, runtime?.pid as number), 'SIGKILL');

      const survivors = await gone([...tree.map((p) => p.pid), launcher], 8_000);
      expect(survivors).toEqual([]);
    },
    90_000,
  );
});
