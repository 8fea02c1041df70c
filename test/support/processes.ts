import { execFileSync } from 'node:child_process';
import { assertPortFree } from '../../local/runtime/ports';
import type { LocalStackPorts } from './local-stack';

/** Processes and ports a local stack leaves, for the tests that kill or stop one. */

export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
}

export function processes(): Proc[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,command='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] ?? '' }));
}

/** Every process below `root`. */
export function descendants(root: number): Proc[] {
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

/** DynamoDB Local's JVM among a stack's processes. */
export function isDynamoDbLocal(p: Proc): boolean {
  return /^\S*java\s.*DynamoDBLocal\.jar/.test(p.command);
}

export const alive = (pid: number) => processes().some((p) => p.pid === pid);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids still alive after waiting up to `withinMs` for them all to be gone. */
export async function gone(pids: readonly number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = pids.filter(alive);
  while (left.length && Date.now() < deadline) {
    await sleep(200);
    left = left.filter(alive);
  }
  return left;
}

/** True while any process of the group still exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `withinMs` for the group to be gone; says how long it took, or undefined if it was not. */
export async function groupGone(pgid: number, withinMs: number): Promise<number | undefined> {
  const startedAt = Date.now();
  while (groupAlive(pgid)) {
    if (Date.now() - startedAt > withinMs) return undefined;
    await sleep(50);
  }
  return Date.now() - startedAt;
}

/** The stack's ports (and `others`, e.g. the demo shop's) something still listens on. */
export async function portsHeld(ports: LocalStackPorts, others: readonly number[] = []): Promise<number[]> {
  const held: number[] = [];
  for (const port of [ports.api, ports.psp, ports.dynamo, ports.sqs, ...others]) {
    const free = await assertPortFree(port, 'test', 'test').then(
      () => true,
      () => false,
    );
    if (!free) held.push(port);
  }
  return held;
}
