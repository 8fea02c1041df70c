import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_RUNTIME, functionBundling } from '../lib/constructs/functions';
import { resolveDeployProfile } from '../lib/deploy-profile';
import { entries, type FunctionSpec, type Topology } from '../lib/topology';

/**
 * The esbuild options NodejsFunction derives from the construct's own `bundling` and runtime
 * (aws-lambda-nodejs/lib/bundling.js): `--bundle --platform=node --target=node<major>` plus the
 * flags of functionBundling(tracing). The values come from lib/constructs/functions.ts, never copied here.
 */
export function cdkBundling(tracing: boolean) {
  const bundling = functionBundling(tracing);
  return {
    bundle: true,
    platform: 'node',
    target: `node${FUNCTION_RUNTIME.name.replace(/^nodejs(\d+).*$/, '$1')}`,
    format: bundling.format,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    mainFields: bundling.mainFields,
    define: bundling.define,
    // With `bundleAwsSDK: true` the construct marks nothing external.
    external: bundling.bundleAwsSDK ? [] : ['@aws-sdk/*'],
  } satisfies BuildOptions;
}

/** Whether a deploy with the default profile traces (and so bundles Tracer): what the bench measures first. */
export const DEFAULT_TRACING = resolveDeployProfile((key) =>
  key === 'alarmEmail' ? 'none' : undefined,
).tracing;

export const BASELINE_NAME = 'baseline';
export const BASELINE_ENTRY = 'bench/baseline-handler.ts';

export interface BundleTarget {
  readonly name: string;
  readonly entry: string;
  /** The environment Lambda would give the function, with dummy values. */
  readonly env: Readonly<Record<string, string>>;
}

export interface BuiltBundle extends BundleTarget {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

const COMMON_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'Payments',
  // As Lambda sets them (the X-Ray ones with active tracing), so a bundle with Tracer loads it as there.
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
  AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
};

/** The keys of a partial record that are actually present. */
function declared<K extends string>(record: Readonly<Partial<Record<K, unknown>>>): K[] {
  return (Object.keys(record) as K[]).filter((key) => record[key] !== undefined);
}

/** What functions.ts puts in a function's environment, from its spec, with dummy values. */
function envFor(name: string, spec: FunctionSpec | undefined, topology: Topology): Record<string, string> {
  const env: Record<string, string> = {
    ...COMMON_ENV,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec?.memoryMb ?? 128),
    POWERTOOLS_SERVICE_NAME: name,
  };
  if (!spec) return env;
  for (const table of declared(spec.tables)) env[topology.tables[table].envVar] = `bench-${table}`;
  for (const queue of declared(spec.queues)) {
    env[topology.queues[queue].envVar] = `https://sqs.us-east-1.amazonaws.com/000000000000/bench-${queue}`;
  }
  if (spec.psp) {
    env.PSP_BASE_URL = 'https://psp.invalid';
    env.PSP_SECRET_KEY = 'bench_sk_dummy';
  }
  return env;
}

/** Every topology function, then the baseline. */
export function bundleTargets(topology: Topology): BundleTarget[] {
  return [
    ...entries(topology.functions).map(([name, spec]) => ({
      name,
      entry: spec.entry,
      env: envFor(name, spec, topology),
    })),
    { name: BASELINE_NAME, entry: BASELINE_ENTRY, env: envFor(BASELINE_NAME, undefined, topology) },
  ];
}

export async function buildBundle(
  root: string,
  outDir: string,
  target: BundleTarget,
  tracing: boolean,
): Promise<BuiltBundle> {
  const file = join(outDir, tracing ? 'traced' : 'untraced', target.name, 'index.js');
  await mkdir(dirname(file), { recursive: true });
  await build({
    ...cdkBundling(tracing),
    absWorkingDir: root,
    entryPoints: [resolve(root, target.entry)],
    outfile: file,
    logLevel: 'warning',
  });
  const code = await readFile(file);
  return { ...target, file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
