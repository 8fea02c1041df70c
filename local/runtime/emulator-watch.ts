import { abortableSleep, type EmulatorGate } from './polling-loop';
import { quietLog } from './quiet-log';

export interface WatchedEmulator {
  /** As people know it, e.g. "DynamoDB Local"; /health names it. */
  readonly name: string;
  /** Resolves when the emulator answers a trivial request; rejects (or hangs) otherwise. */
  probe(): Promise<void>;
  /** Brings it back on the same data; absent when it cannot be (a restart would lose its data). */
  readonly restart?: () => Promise<void>;
  /** Why it cannot be restarted, for the message the runtime exits with when it has exited. */
  readonly cannotRestartBecause?: string;
}

export interface EmulatorWatchOptions {
  readonly intervalMs: number;
  /** A probe slower than this counts as failed (a busy machine makes DynamoDB Local slow, not dead). */
  readonly probeTimeoutMs: number;
  /** Failed probes in a row before an emulator that has not exited is declared down. */
  readonly failuresBeforeDown: number;
  /** Restart attempts before giving up. */
  readonly restartAttempts: number;
  /** How long a restarted emulator may take to answer its first probe (a JVM on a busy machine is slow). */
  readonly firstAnswerMs: number;
  /** Called once when an emulator is down for good: the runtime stops with this message. */
  readonly onFatal: (message: string) => void;
}

export const DEFAULT_WATCH: Omit<EmulatorWatchOptions, 'onFatal'> = {
  intervalMs: 1000,
  probeTimeoutMs: 5000,
  failuresBeforeDown: 3,
  restartAttempts: 5,
  firstAnswerMs: 60_000,
};

/**
 * Watches the local emulators: knows which are down (for /health and the front door's 503s),
 * holds pollers while any is, restarts one on its data when it can, and otherwise asks the runtime
 * to stop with a clear message. An emulator that exits is reported at once (`reportExit`); one
 * that hangs is found by probes (three in a row without an answer in 5 s: a JVM on a busy
 * machine is slow, not dead), and one that cannot be restarted without losing its data is
 * waited for instead: it is up again when it answers.
 */
export class EmulatorWatch implements EmulatorGate {
  private readonly down = new Map<string, string>();
  private readonly failures = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private fatal = false;
  private probing = false;

  constructor(
    private readonly emulators: readonly WatchedEmulator[],
    private readonly opts: EmulatorWatchOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.probeAll(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopping.abort();
    for (const wake of this.waiters) wake();
  }

  /** Emulators down now, with why: `[name, reason]`. */
  downNow(): readonly [string, string][] {
    return [...this.down];
  }

  allUp(): boolean {
    return this.down.size === 0;
  }

  whenUp(signal: AbortSignal): Promise<void> {
    if (this.allUp() || signal.aborted || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        if (!this.allUp() && !signal.aborted && !this.stopping.signal.aborted) return;
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** The emulator's process ended by itself. */
  reportExit(name: string, reason: string): void {
    this.markDown(name, reason, true);
  }

  private async probeAll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    await Promise.all(
      this.emulators
        .filter((e) => !this.down.has(e.name))
        .map(async (emulator) => {
          try {
            await withTimeout(emulator.probe(), this.opts.probeTimeoutMs);
            this.failures.delete(emulator.name);
          } catch (error) {
            const failures = (this.failures.get(emulator.name) ?? 0) + 1;
            this.failures.set(emulator.name, failures);
            if (failures >= this.opts.failuresBeforeDown) {
              this.markDown(emulator.name, `not answering (${(error as Error).message})`, false);
            }
          }
        }),
    ).finally(() => {
      this.probing = false;
    });
  }

  private markDown(name: string, reason: string, exited: boolean): void {
    if (this.stopping.signal.aborted || this.down.has(name)) return;
    const emulator = this.emulators.find((e) => e.name === name);
    if (!emulator) return;
    this.down.set(name, reason);
    this.failures.delete(name);
    quietLog.error(`down ${name}`, `${name} is down: ${reason}`);
    void this.recover(emulator, reason, exited);
  }

  private markUp(name: string): void {
    this.down.delete(name);
    console.error(`[local] ${name} is back.`);
    for (const wake of this.waiters) wake();
  }

  private async recover(emulator: WatchedEmulator, reason: string, exited: boolean): Promise<void> {
    const signal = this.stopping.signal;
    // A moment first: a Ctrl-C reaches the emulator and the runtime together, and the emulator
    // may be seen gone just before the runtime hears the signal; that is a stop, not a crash.
    await abortableSleep(1000, signal);
    if (signal.aborted) return;
    const { restart } = emulator;
    if (!restart && exited) {
      return this.giveUp(`${emulator.name} is down (${reason}). ${emulator.cannotRestartBecause ?? ''}`);
    }
    if (!restart) {
      await this.firstAnswer(emulator, signal, Number.POSITIVE_INFINITY).catch(() => undefined);
      if (!signal.aborted) this.markUp(emulator.name);
      return;
    }
    for (let attempt = 1; attempt <= this.opts.restartAttempts; attempt++) {
      console.error(
        `[local] restarting ${emulator.name} (attempt ${attempt} of ${this.opts.restartAttempts})...`,
      );
      try {
        await restart();
        await this.firstAnswer(emulator, signal, this.opts.firstAnswerMs);
        if (signal.aborted) return;
        this.markUp(emulator.name);
        return;
      } catch (error) {
        if (signal.aborted) return;
        quietLog.error(`restart ${emulator.name}`, `${emulator.name} did not come back:`, error);
        await abortableSleep(1000 * 2 ** (attempt - 1), signal);
        if (signal.aborted) return;
      }
    }
    this.giveUp(
      `${emulator.name} is down (${reason}) and did not come back after ${this.opts.restartAttempts} restarts.`,
    );
  }

  /** Probes until the emulator answers; rejects after `withinMs` or when stopping. */
  private async firstAnswer(emulator: WatchedEmulator, signal: AbortSignal, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      try {
        return await withTimeout(emulator.probe(), this.opts.probeTimeoutMs);
      } catch (error) {
        if (signal.aborted || Date.now() > deadline) throw error;
        await abortableSleep(500, signal);
      }
    }
  }

  private giveUp(message: string): void {
    if (this.fatal || this.stopping.signal.aborted) return;
    this.fatal = true;
    this.opts.onFatal(message.trim());
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
