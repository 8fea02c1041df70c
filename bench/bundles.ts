import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_BUNDLING, FUNCTION_RUNTIME } from '../lib/constructs/functions';
import { entries, type FunctionSpec, type Topology } from '../lib/topology';

/**
 * The esbuild options NodejsFunction derives from the construct's own `bundling` and runtime
 * (aws-lambda-nodejs/lib/bundling.js): `--bundle --platform=node --target=node<major>` plus the
 * flags of FUNCTION_BUNDLING. The values come from lib/constructs/functions.ts, never copied here.
 */
export const CDK_BUNDLING = {
  bundle: true,
  platform: 'node',
  target: `node${FUNCTION_RUNTIME.name.replace(/^nodejs(\d+).*$/, '$1')}`,
  format: FUNCTION_BUNDLING.format,
  minify: FUNCTION_BUNDLING.minify,
  sourcemap: FUNCTION_BUNDLING.sourceMap,
  mainFields: FUNCTION_BUNDLING.mainFields,
  // With `bundleAwsSDK: true` the construct marks nothing external.
  external: FUNCTION_BUNDLING.bundleAwsSDK ? [] : ['@aws-sdk/*'],
} satisfies BuildOptions;

/** Powertools Tracer, the X-Ray SDK and the packages only the X-Ray SDK brings in. */
const TRACER_PACKAGES =
  /node_modules\/(@aws-lambda-powertools\/tracer|aws-xray-sdk-core|semver|cls-hooked|async-hook-jl|stack-chain|emitter-listener|shimmer|atomic-batcher)\//;

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
  /** Output bytes of Powertools Tracer and the X-Ray SDK it loads (CommonJS, so never tree-shaken). */
  readonly tracerBytes: number;
}

const COMMON_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'Payments',
  // As Lambda sets them with active tracing, so Tracer and the X-Ray SDK initialise as they do there.
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

export async function buildBundle(root: string, outDir: string, target: BundleTarget): Promise<BuiltBundle> {
  const file = join(outDir, target.name, 'index.js');
  await mkdir(join(outDir, target.name), { recursive: true });
  const { metafile } = await build({
    ...CDK_BUNDLING,
    absWorkingDir: root,
    entryPoints: [resolve(root, target.entry)],
    outfile: file,
    logLevel: 'warning',
    metafile: true,
  });
  const code = await readFile(file);
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  return {
    ...target,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    tracerBytes: inputs
      .filter(([path]) => TRACER_PACKAGES.test(path))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0),
  };
}
