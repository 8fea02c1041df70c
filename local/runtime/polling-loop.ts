import { quietLog } from './quiet-log';

/** The longest wait between failed rounds: a dead emulator costs one attempt every few seconds. */
const MAX_BACKOFF_MS = 5_000;

/** Thrown out of a round that gave up because the loop is stopping; nothing of it was committed. */
export class PollerStopped extends Error {
  constructor() {
    super('poller stopped');
    this.name = 'PollerStopped';
  }
}

/** Says whether the emulators a poller reads are up, and waits until they are. */
export interface EmulatorGate {
  allUp(): boolean;
  /** Resolves once every emulator is up again, or when `signal` aborts. */
  whenUp(signal: AbortSignal): Promise<void>;
}

/**
 * A poller that runs until stopped: `pollOnce` does one round and says whether it found work;
 * an idle round waits `idleMs`, a failed one waits longer after each failure in a row (doubling,
 * capped), so an empty source costs little and a broken one never spins. While an emulator is
 * down it does not poll at all. `stop()` cuts every wait short.
 */
export abstract class PollingLoop {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  protected abstract readonly label: string;
  protected abstract readonly idleMs: number;

  constructor(private readonly gate?: EmulatorGate) {}

  protected abstract pollOnce(): Promise<boolean>;

  start(): void {
    this.loop = this.run();
  }

  /** Stops polling; resolves when the current round has given up or finished. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  protected get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Waits `ms`, or less if the loop is stopped meanwhile. */
  protected wait(ms: number): Promise<void> {
    return abortableSleep(ms, this.stopping.signal);
  }

  /** Before a retry: throws if stopping; waits out an emulator outage so it costs no retry. */
  protected async beforeRetry(): Promise<void> {
    if (this.gate && !this.gate.allUp()) await this.gate.whenUp(this.stopping.signal);
    if (this.stopped) throw new PollerStopped();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (this.gate && !this.gate.allUp()) {
        await this.gate.whenUp(this.stopping.signal);
        continue;
      }
      let busy = false;
      try {
        busy = await this.pollOnce();
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        failures += 1;
        quietLog.error(this.label, `${this.label} failed (${failures} in a row):`, error);
      }
      if (failures > 0) await this.wait(backoffMs(this.idleMs, failures));
      else if (!busy) await this.wait(this.idleMs);
    }
  }
}

/** Exponential backoff from the idle wait (at least 100 ms), capped at MAX_BACKOFF_MS. */
export function backoffMs(idleMs: number, failures: number): number {
  return Math.min(Math.max(idleMs, 100) * 2 ** Math.min(failures, 16), MAX_BACKOFF_MS);
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
