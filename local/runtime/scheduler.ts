import type { FunctionName, ScheduleTrigger } from '../../lib/topology';
import type { LocalFunction } from './functions';
import type { EmulatorGate } from './polling-loop';
import { quietLog } from './quiet-log';

/** Env override of a schedule's local cadence: `SCHEDULE_<FUNCTION>_MS`, e.g. SCHEDULE_RECOVERY_MS. */
export function scheduleEnvVar(fn: FunctionName): string {
  return `SCHEDULE_${fn.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_MS`;
}

/**
 * EventBridge scheduled rules, locally: invoke on a cadence; a slow run is not overlapped, and
 * no run starts while an emulator is down (it could only fail).
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly gate?: EmulatorGate,
  ) {}

  add(fn: LocalFunction, trigger: ScheduleTrigger): void {
    const override = Number(this.env[scheduleEnvVar(fn.name)]);
    const everyMs = Number.isFinite(override) && override > 0 ? override : trigger.localEveryMs;
    let running = false;
    const timer = setInterval(() => {
      if (running || (this.gate && !this.gate.allUp())) return;
      running = true;
      const run = fn
        .invoke({
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          time: new Date().toISOString(),
          detail: {},
        })
        .catch((error) => quietLog.error(`schedule ${fn.name}`, `scheduled ${fn.name} failed:`, error))
        .finally(() => {
          running = false;
          this.inFlight.delete(run);
        });
      this.inFlight.add(run);
    }, everyMs);
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.inFlight);
  }
}
