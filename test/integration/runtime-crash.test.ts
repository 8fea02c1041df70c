/**
 * A crashed local runtime leaves nothing behind: `kill -9` of the `npm start` launcher or of the
 * runtime process itself ends DynamoDB Local's JVM (and the runtime) within seconds, so the next
 * start finds its ports and data folder free.
 */
import { execFileSync } from 'node:child_process';
import { type StartedLocalStack, startLocalStack, stopLocalStack } from '../support/local-stack';

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
}

function processes(): Proc[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,command='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] ?? '' }));
}

/** Every process below `root`. */
function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

const alive = (pid: number) => processes().some((p) => p.pid === pid);

async function gone(pids: readonly number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = pids.filter(alive);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = left.filter(alive);
  }
  return left;
}

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
      const java = tree.filter((p) => /^\S*java\s.*DynamoDBLocal\.jar/.test(p.command));
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
