import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { BuiltBundle } from './bundles';

const run = promisify(execFile);

/**
 * Runs in a fresh `node`: times `require()` of the bundle (module init, as a Lambda cold
 * start pays it before the first invocation) and checks it exports a handler.
 */
const PROBE = `
const file = process.argv[1];
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const loaded = require(file);
const cpu = process.cpuUsage(cpuStart);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const cpuMs = (cpu.user + cpu.system) / 1000;
if (typeof loaded.handler !== 'function') {
  console.error(file + ' exports no handler');
  process.exit(2);
}
process.stdout.write(JSON.stringify({ ms, cpuMs, rssBytes: process.memoryUsage().rss }), () => process.exit(0));
`;

export interface InitSample {
  /** Wall time of the require. */
  readonly ms: number;
  /** CPU time (user + system) of the require: what init costs, without the waits of a busy machine. */
  readonly cpuMs: number;
  readonly rssBytes: number;
}

export interface InitOptions {
  /**
   * As in Lambda (AWS_EXECUTION_ENV set), where lambdas/shared/telemetry.ts loads Tracer and the X-Ray
   * SDK; false measures the same bundle without them (a diagnostic of what tracing costs).
   */
  readonly tracing: boolean;
}

export async function measureInit(bundle: BuiltBundle, { tracing }: InitOptions): Promise<InitSample> {
  const args = ['-e', PROBE, bundle.file];
  const { AWS_EXECUTION_ENV, ...untraced } = bundle.env;
  const { stdout } = await run(process.execPath, args, {
    // Only the function's own environment: nothing from the developer's shell leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      LAMBDA_TASK_ROOT: dirname(bundle.file),
      ...(tracing ? bundle.env : untraced),
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as InitSample;
}

/**
 * `runs` samples per bundle after one discarded warm-up (which takes the file into the
 * page cache), interleaved across bundles so drift in machine load spreads evenly over them.
 */
export async function sampleInits(
  bundles: readonly BuiltBundle[],
  runs: number,
  options: InitOptions,
): Promise<Map<string, InitSample[]>> {
  const samples = new Map<string, InitSample[]>(bundles.map((b) => [b.name, []]));
  for (const bundle of bundles) await measureInit(bundle, options);
  for (let i = 0; i < runs; i++) {
    for (const bundle of bundles) samples.get(bundle.name)?.push(await measureInit(bundle, options));
  }
  return samples;
}
