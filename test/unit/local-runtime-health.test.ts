/**
 * The local runtime's self-watch, on its own with fake emulators: which emulator is down, its
 * restart or the runtime's stop, rate-limited error lines, pollers that back off and stop at once,
 * and the choice of PSP at start.
 */
import { EmulatorWatch, type WatchedEmulator } from '../../local/runtime/emulator-watch';
import { backoffMs, PollingLoop } from '../../local/runtime/polling-loop';
import { choosePsp } from '../../local/runtime/psp-choice';
import { QuietLog } from '../../local/runtime/quiet-log';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await sleep(10);
  }
}

const fastWatch = {
  intervalMs: 20,
  probeTimeoutMs: 50,
  failuresBeforeDown: 2,
  restartAttempts: 2,
  firstAnswerMs: 200,
};

describe('emulator watch', () => {
  let quiet: jest.SpyInstance;
  beforeEach(() => {
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => quiet.mockRestore());

  it('reports an emulator that exited as down at once, holds waiters, and is up again after its restart', async () => {
    let restarts = 0;
    const dynamo: WatchedEmulator = {
      name: 'DynamoDB Local',
      probe: async () => undefined,
      restart: async () => {
        restarts += 1;
      },
    };
    const fatal = jest.fn();
    const watch = new EmulatorWatch([dynamo], { ...fastWatch, onFatal: fatal });
    watch.reportExit('DynamoDB Local', 'exited (signal SIGKILL)');
    expect(watch.downNow()).toEqual([['DynamoDB Local', 'exited (signal SIGKILL)']]);
    expect(watch.allUp()).toBe(false);
    let woken = false;
    const waiting = watch.whenUp(new AbortController().signal).then(() => {
      woken = true;
    });
    await sleep(50);
    expect(woken).toBe(false);
    await waiting;
    expect(restarts).toBe(1);
    expect(watch.allUp()).toBe(true);
    expect(fatal).not.toHaveBeenCalled();
    watch.stop();
  });

  it('finds a hung emulator by its probes, and one it must not restart is up again once it answers', async () => {
    let hung = false;
    const fatal = jest.fn();
    const dynamo: WatchedEmulator = {
      name: 'DynamoDB Local',
      probe: () => (hung ? new Promise(() => undefined) : Promise.resolve()),
      cannotRestartBecause: 'Its data is in memory.',
    };
    const watch = new EmulatorWatch([dynamo], { ...fastWatch, onFatal: fatal });
    watch.start();
    await sleep(100);
    expect(watch.allUp()).toBe(true);
    hung = true;
    await until(() => !watch.allUp());
    expect(watch.downNow()[0]?.[0]).toBe('DynamoDB Local');
    hung = false;
    await until(() => watch.allUp());
    expect(fatal).not.toHaveBeenCalled();
    watch.stop();
  });

  it('asks the runtime to stop, with the reason, when the emulator cannot be restarted', async () => {
    const fatal = jest.fn();
    const watch = new EmulatorWatch(
      [
        {
          name: 'DynamoDB Local',
          probe: async () => undefined,
          cannotRestartBecause: 'Its data was in memory.',
        },
      ],
      { ...fastWatch, onFatal: fatal },
    );
    watch.reportExit('DynamoDB Local', 'exited (code 137)');
    await until(() => fatal.mock.calls.length > 0);
    expect(fatal).toHaveBeenCalledWith('DynamoDB Local is down (exited (code 137)). Its data was in memory.');
    watch.stop();
  });

  it('gives up after its restart attempts', async () => {
    const fatal = jest.fn();
    const watch = new EmulatorWatch(
      [
        {
          name: 'DynamoDB Local',
          probe: async () => undefined,
          restart: () => Promise.reject(new Error('port taken')),
        },
      ],
      { ...fastWatch, onFatal: fatal },
    );
    watch.reportExit('DynamoDB Local', 'exited (code 1)');
    await until(() => fatal.mock.calls.length > 0, 10_000);
    expect(fatal.mock.calls[0]?.[0]).toMatch(/did not come back after 2 restarts/);
    watch.stop();
  }, 15_000);

  it('does nothing about an emulator that ends while the runtime stops', async () => {
    const restart = jest.fn(async () => undefined);
    const fatal = jest.fn();
    const watch = new EmulatorWatch([{ name: 'DynamoDB Local', probe: async () => undefined, restart }], {
      ...fastWatch,
      onFatal: fatal,
    });
    watch.stop();
    watch.reportExit('DynamoDB Local', 'exited (signal SIGTERM)');
    await sleep(1200);
    expect(restart).not.toHaveBeenCalled();
    expect(fatal).not.toHaveBeenCalled();
  });
});

describe('quiet log', () => {
  it('writes one line per kind per window, then says how many it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new QuietLog(
      10_000,
      (line) => lines.push(line),
      () => now,
    );
    for (let i = 0; i < 100; i++) log.error('poller', 'poll failed');
    log.error('other', 'something else');
    now = 10_000;
    log.error('poller', 'poll failed');
    expect(lines).toEqual([
      '[local] poll failed',
      '[local] something else',
      '[local] poll failed (99 more like it in the last 10 s not shown)',
    ]);
  });
});

class FailingPoller extends PollingLoop {
  protected readonly label = 'failing poller';
  protected readonly idleMs = 10;
  rounds = 0;
  protected async pollOnce(): Promise<boolean> {
    this.rounds += 1;
    throw new Error('connect ECONNREFUSED');
  }
}

describe('polling loop', () => {
  it('backs off exponentially after failures in a row, capped', () => {
    expect([1, 2, 3, 4, 10, 60].map((n) => backoffMs(50, n))).toEqual([200, 400, 800, 1600, 5000, 5000]);
  });

  it('does not spin on a broken source, and stops at once in the middle of a backoff', async () => {
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const poller = new FailingPoller();
    poller.start();
    await sleep(1000);
    // 100 ms, 200, 400, then 800: four or five rounds in a second, not thousands.
    expect(poller.rounds).toBeLessThanOrEqual(6);
    const stopping = poller.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await sleep(50);
    expect(stopped).toBe(true);
    quiet.mockRestore();
  });
});

describe('choice of PSP at start', () => {
  it('is the simulator without PSP_BASE_URL', () => {
    expect(choosePsp({})).toEqual({ kind: 'simulator', secretKey: 'test_sk_local_simulator' });
    expect(choosePsp({ PSP_BASE_URL: ' ' }).kind).toBe('simulator');
  });

  it('is the PSP at PSP_BASE_URL, with its key, described but never shown', () => {
    const choice = choosePsp({
      PSP_BASE_URL: 'https://api.tosspayments.com/',
      PSP_SECRET_KEY: 'test_sk_abc',
    });
    expect(choice).toEqual({
      kind: 'external',
      baseUrl: 'https://api.tosspayments.com',
      secretKey: 'test_sk_abc',
      keyDescription: 'a test key',
    });
    const live = choosePsp({ PSP_BASE_URL: 'https://api.tosspayments.com', PSP_SECRET_KEY: 'live_sk_abc' });
    expect(live.kind === 'external' && live.keyDescription).toMatch(/NOT a test key/);
    expect(JSON.stringify(live.kind === 'external' && live.keyDescription)).not.toContain('live_sk_abc');
  });

  it('refuses PSP_BASE_URL without PSP_SECRET_KEY, or one that is not an http(s) URL', () => {
    expect(() => choosePsp({ PSP_BASE_URL: 'https://api.tosspayments.com' })).toThrow(
      /PSP_BASE_URL is set but PSP_SECRET_KEY is not/,
    );
    expect(() => choosePsp({ PSP_BASE_URL: 'api.tosspayments.com', PSP_SECRET_KEY: 'x' })).toThrow(
      /not a URL/,
    );
    expect(() => choosePsp({ PSP_BASE_URL: 'ftp://psp', PSP_SECRET_KEY: 'x' })).toThrow(/http\(s\)/);
  });
});
