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

export async function measureInit(bundle: BuiltBundle): Promise<InitSample> {
  const args = ['-e', PROBE, bundle.file];
  const { stdout } = await run(process.execPath, args, {
    // Only the function's own environment: nothing from the developer's shell leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      LAMBDA_TASK_ROOT: dirname(bundle.file),
      ...bundle.env,
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
): Promise<Map<BuiltBundle, InitSample[]>> {
  const samples = new Map<BuiltBundle, InitSample[]>(bundles.map((b) => [b, []]));
  for (const bundle of bundles) await measureInit(bundle);
  for (let i = 0; i < runs; i++) {
    for (const bundle of bundles) samples.get(bundle)?.push(await measureInit(bundle));
  }
  return samples;
}
