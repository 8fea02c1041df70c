/**
 * The local stack's lifecycle, each case on its own stack in its own process group: a signal to
 * the whole group (what Ctrl-C in a terminal or a process supervisor sends), idle and under load,
 * ends every process and frees every port within 10 s; DynamoDB Local dying turns /health to a
 * 503 naming it, and the stack restarts it on its data folder, or with --in-memory stops with a
 * clear message; a signal while it is down still ends everything within 10 s.
 *
 * `LOCAL_STOP_RUNS` sets how many signal runs (default 3; the plan cycles SIGTERM/SIGINT, idle and
 * under load). `LOCAL_STOP_RUNS=20` is the acceptance run by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizedOrder, checkout, getPayment, postConfirm } from '../../bench/http';
import { type StartedLocalStack, startLocalStack } from '../support/local-stack';
import { descendants, groupAlive, groupGone, isDynamoDbLocal, portsHeld } from '../support/processes';

const STOP_WITHIN_MS = 10_000;
const RUNS = Number(process.env.LOCAL_STOP_RUNS ?? 3);
const PLAN: readonly (readonly ['SIGTERM' | 'SIGINT', 'idle' | 'under load'])[] = [
  ['SIGTERM', 'idle'],
  ['SIGINT', 'under load'],
  ['SIGTERM', 'under load'],
  ['SIGINT', 'idle'],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pgidOf(stack: StartedLocalStack): number {
  const pid = stack.process.pid;
  if (pid === undefined) throw new Error('the stack has no pid');
  return pid;
}

/** SIGKILL to whatever a failed test left of a stack's group. */
function cleanUp(stack: StartedLocalStack | undefined): void {
  if (stack && groupAlive(pgidOf(stack))) process.kill(-pgidOf(stack), 'SIGKILL');
}

/** Confirms in a loop (8 at a time) until stopped; `started` resolves once some have completed. */
function load(stack: StartedLocalStack): { started: Promise<void>; stop(): void } {
  let running = true;
  let completed = 0;
  let reached: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const worker = async () => {
    while (running) {
      try {
        await postConfirm(stack.apiUrl, await authorizedOrder(stack.apiUrl, stack.pspUrl));
        if (++completed >= 5) reached();
      } catch {
        // The stack is stopping under us: that is the point.
        await sleep(50);
      }
    }
  };
  for (let i = 0; i < 8; i++) void worker();
  return {
    started,
    stop: () => {
      running = false;
    },
  };
}

async function health(stack: StartedLocalStack): Promise<{ status: number; type: string; body: string }> {
  try {
    const response = await fetch(`${stack.apiUrl}/health`);
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  } catch (error) {
    return { status: 0, type: '', body: String(error) };
  }
}

async function healthUntil(stack: StartedLocalStack, status: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  let last = await health(stack);
  while (last.status !== status && Date.now() < deadline) {
    await sleep(100);
    last = await health(stack);
  }
  return last;
}

function killDynamoDbLocal(stack: StartedLocalStack): void {
  const java = descendants(pgidOf(stack)).filter(isDynamoDbLocal);
  expect(java).toHaveLength(1);
  process.kill(java[0]?.pid as number, 'SIGKILL');
}

/** Every port of the stack something still listens on, the demo shop's included. */
function allPortsHeld(stack: StartedLocalStack): Promise<number[]> {
  return portsHeld(stack.ports, [Number(new URL(stack.shopUrl).port)]);
}

/** Signals the whole group; resolves with what is left once it is gone or 10 s have passed. */
async function stopGroup(stack: StartedLocalStack, signal: NodeJS.Signals) {
  process.kill(-pgidOf(stack), signal);
  const tookMs = await groupGone(pgidOf(stack), STOP_WITHIN_MS);
  return { stoppedWithin10s: tookMs !== undefined, tookMs, portsHeld: await allPortsHeld(stack) };
}

describe('a signal to the whole process group', () => {
  let stack: StartedLocalStack | undefined;
  afterEach(() => cleanUp(stack));

  it(
    `ends the stack within 10 s with every port free, ${RUNS} times (SIGTERM/SIGINT, idle/under load)`,
    async () => {
      for (let run = 0; run < RUNS; run++) {
        const [signal, state] = PLAN[run % PLAN.length] as (typeof PLAN)[number];
        stack = await startLocalStack({}, { detached: true });
        const traffic = state === 'under load' ? load(stack) : undefined;
        await traffic?.started;
        const result = await stopGroup(stack, signal);
        traffic?.stop();
        console.log(`run ${run + 1}/${RUNS}: ${signal} ${state}: gone after ${result.tookMs} ms`);
        expect({ run, signal, state, ...result, tookMs: undefined }).toEqual({
          run,
          signal,
          state,
          stoppedWithin10s: true,
          tookMs: undefined,
          portsHeld: [],
        });
      }
    },
    RUNS * 180_000,
  );
});

describe('DynamoDB Local dies under a stack with a data folder', () => {
  let stack: StartedLocalStack | undefined;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'payments-lifecycle-'));
    stack = await startLocalStack({}, { dataDir, detached: true });
  }, 180_000);
  afterAll(() => {
    cleanUp(stack);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('/health turns 503 naming it, then it is restarted on the same data and the stack serves again', async () => {
    const s = stack as StartedLocalStack;
    const { orderId } = await checkout(s.apiUrl);
    killDynamoDbLocal(s);

    const down = await healthUntil(s, 503, 15_000);
    expect(down.status).toBe(503);
    expect(down.type).toBe('application/problem+json');
    expect(JSON.parse(down.body)).toEqual(
      expect.objectContaining({ code: 'LOCAL_EMULATOR_DOWN', title: 'DynamoDB Local down' }),
    );

    expect((await healthUntil(s, 200, 120_000)).status).toBe(200);
    expect((await getPayment(s.apiUrl, orderId)).status).toBe('NOT_STARTED');
    expect(s.output()).toMatch(/DynamoDB Local is back/);
  }, 180_000);

  it('a signal to the group while it is down still ends everything within 10 s', async () => {
    const s = stack as StartedLocalStack;
    killDynamoDbLocal(s);
    expect((await healthUntil(s, 503, 15_000)).status).toBe(503);
    expect(await stopGroup(s, 'SIGTERM')).toEqual(
      expect.objectContaining({ stoppedWithin10s: true, portsHeld: [] }),
    );
  }, 60_000);
});

describe('DynamoDB Local dies under an --in-memory stack', () => {
  let stack: StartedLocalStack | undefined;
  afterAll(() => cleanUp(stack));

  it('the stack stops by itself with a clear message, every process gone and every port free', async () => {
    stack = await startLocalStack({}, { detached: true });
    const exited = new Promise<number | null>((resolve) => stack?.process.once('exit', resolve));
    killDynamoDbLocal(stack);
    expect(await exited).toBe(1);
    expect(stack.output()).toMatch(
      /DynamoDB Local is down .*--in-memory, so a restart would bring it back empty/,
    );
    expect(await groupGone(pgidOf(stack), STOP_WITHIN_MS)).toBeDefined();
    expect(await allPortsHeld(stack)).toEqual([]);
  }, 180_000);
});
