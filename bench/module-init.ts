import { execFile } from 'node:child_process';
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
const loaded = require(file);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (typeof loaded.handler !== 'function') {
  console.error(file + ' exports no handler');
  process.exit(2);
}
process.stdout.write(JSON.stringify({ ms, rssBytes: process.memoryUsage().rss }), () => process.exit(0));
`;

export interface InitSample {
  readonly ms: number;
  readonly rssBytes: number;
}

export interface InitOptions {
  /** Lambda runs the functions with NODE_OPTIONS=--enable-source-maps (functions.ts). */
  readonly sourceMaps: boolean;
}

export async function measureInit(bundle: BuiltBundle, options: InitOptions): Promise<InitSample> {
  const args = [...(options.sourceMaps ? ['--enable-source-maps'] : []), '-e', PROBE, bundle.file];
  const { stdout } = await run(process.execPath, args, {
    // Only the function's own environment: nothing from the developer's shell leaks in.
    env: { PATH: process.env.PATH ?? '', ...bundle.env },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as InitSample;
}

/**
 * `runs` samples per bundle and mode after one discarded warm-up (which takes the file into the
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
