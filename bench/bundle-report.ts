import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stop } from 'esbuild';
import type { Topology } from '../lib/topology';
import {
  BASELINE_NAME,
  type BuiltBundle,
  buildBundle,
  bundleTargets,
  cdkBundling,
  DEFAULT_TRACING,
} from './bundles';
import { type InitSample, sampleInits } from './module-init';
import { median, round } from './stats';

export interface InitFigures {
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

export interface BundleFigures {
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMs: InitFigures;
  readonly rssAfterInitMb: number;
}

export interface BundleFiguresVsBaseline extends BundleFigures {
  readonly vsBaseline: {
    readonly extraBytes: number;
    readonly bytesRatio: number;
    readonly extraInitMs: number;
    /** Module init CPU time over the baseline's: the median of the per-round ratios. */
    readonly initRatio: number;
    /** The same in wall time, which a shared machine makes noisier. */
    readonly wallInitRatio: number;
  };
  /** Diagnostic only: the same function built for a deploy with `tracing=true` (Tracer and the X-Ray SDK). */
  readonly withTracing: {
    readonly bytes: number;
    readonly initMs: InitFigures;
    readonly bytesRatio: number;
    readonly initRatio: number;
  };
}

export interface BundleSection {
  readonly settings: ReturnType<typeof cdkBundling> & { readonly tracing: boolean; readonly mirrors: string };
  readonly initRunsPerBundle: number;
  readonly initMethod: string;
  readonly baseline: BundleFigures & { readonly description: string };
  readonly functions: Readonly<Record<string, BundleFiguresVsBaseline>>;
  /** Largest bytes ratio to the baseline over every function not listed apart (target ≤ 1.25). */
  readonly maxBundleRatio: number;
  /** Largest module-init ratio (as deployed) to the baseline over the same functions (target ≤ 1.2). */
  readonly maxInitRatio: number;
  /** Functions left out of the two maxima, each with its reason. */
  readonly listedApart: Readonly<Record<string, string>>;
}

/**
 * Init rounds. A require() of the same bundle varies by ±20% from run to run on a shared 2-core
 * machine, and the machine drifts over a run; each round times the baseline and then every bundle,
 * and a ratio is the median of the per-round ratios, so drift cancels (31 bundles, about 2 min).
 */
export const INIT_RUNS = 21;

/** The median over rounds of `own[i] / baseline[i]` (samples of the same round side by side). */
export function pairedRatio(
  own: readonly InitSample[],
  baseline: readonly InitSample[],
  measure: (sample: InitSample) => number,
): number {
  const rounds = Math.min(own.length, baseline.length);
  if (rounds === 0) throw new Error('no init samples to compare');
  const ratios = Array.from({ length: rounds }, (_, i) => {
    const [a, b] = [own[i], baseline[i]] as [InitSample, InitSample];
    return measure(a) / measure(b);
  });
  return round(median(ratios));
}

/**
 * Batch functions whose cold start is paid once per run rather than per request or message: they are
 * reported like every other function but left out of maxBundleRatio/maxInitRatio.
 */
export const LISTED_APART: Readonly<Record<string, string>> = {
  reconciliation:
    'nightly batch (one invocation a day, up to 15 min): also carries the S3 report sink and the PSP settlement parsing; its cold start is paid once a day, not on any request or message path',
};

/** The largest of each ratio over the functions that count. */
export function maxRatios(functions: Readonly<Record<string, BundleFiguresVsBaseline>>): {
  maxBundleRatio: number;
  maxInitRatio: number;
} {
  const counted = Object.entries(functions).filter(([name]) => !(name in LISTED_APART));
  if (counted.length === 0) throw new Error('no function to compare with the baseline');
  return {
    maxBundleRatio: Math.max(...counted.map(([, f]) => f.vsBaseline.bytesRatio)),
    maxInitRatio: Math.max(...counted.map(([, f]) => f.vsBaseline.initRatio)),
  };
}

function initFigures(samples: readonly InitSample[]): InitFigures {
  const ms = samples.map((s) => s.ms);
  return {
    medianMs: round(median(ms)),
    medianCpuMs: round(median(samples.map((s) => s.cpuMs))),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    samplesMs: ms.map((x) => round(x)),
  };
}

function figures(bundle: BuiltBundle, samples: readonly InitSample[]): BundleFigures {
  return {
    entry: bundle.entry,
    bytes: bundle.bytes,
    gzipBytes: bundle.gzipBytes,
    initMs: initFigures(samples),
    rssAfterInitMb: round(median(samples.map((s) => s.rssBytes)) / 2 ** 20, 1),
  };
}

/**
 * Bundles every topology function as the default deploy profile builds it, and again as a deploy with
 * `tracing=true` does (a diagnostic), plus the baseline; then times their module init, all interleaved.
 */
export async function measureBundles(root: string, topology: Topology, runs: number): Promise<BundleSection> {
  const outDir = await mkdtemp(join(tmpdir(), 'payments-bench-'));
  try {
    const targets = bundleTargets(topology);
    const deployed: BuiltBundle[] = [];
    const traced = new Map<string, BuiltBundle>();
    for (const target of targets) {
      deployed.push(await buildBundle(root, outDir, target, DEFAULT_TRACING));
      if (target.name !== BASELINE_NAME)
        traced.set(target.name, await buildBundle(root, outDir, target, true));
    }
    // The esbuild service would otherwise keep running beside the samples.
    await stop();
    const baselineBundle = deployed.find((b) => b.name === BASELINE_NAME);
    if (!baselineBundle) throw new Error('the baseline bundle is missing');
    const others = [...deployed.filter((b) => b !== baselineBundle), ...traced.values()];
    const samples = await sampleInits([baselineBundle, ...others], runs);
    const samplesOf = (bundle: BuiltBundle) => samples.get(bundle) ?? [];
    const of = (bundle: BuiltBundle) => figures(bundle, samplesOf(bundle));
    const cpu = (sample: InitSample) => sample.cpuMs;
    const wall = (sample: InitSample) => sample.ms;
    const baseline = of(baselineBundle);
    const functions: Record<string, BundleFiguresVsBaseline> = {};
    for (const bundle of deployed) {
      const tracedBundle = traced.get(bundle.name);
      if (!tracedBundle) continue;
      const own = of(bundle);
      const withTracer = of(tracedBundle);
      functions[bundle.name] = {
        ...own,
        vsBaseline: {
          extraBytes: own.bytes - baseline.bytes,
          bytesRatio: round(own.bytes / baseline.bytes),
          extraInitMs: round(own.initMs.medianCpuMs - baseline.initMs.medianCpuMs),
          initRatio: pairedRatio(samplesOf(bundle), samplesOf(baselineBundle), cpu),
          wallInitRatio: pairedRatio(samplesOf(bundle), samplesOf(baselineBundle), wall),
        },
        withTracing: {
          bytes: withTracer.bytes,
          initMs: withTracer.initMs,
          bytesRatio: round(withTracer.bytes / baseline.bytes),
          initRatio: pairedRatio(samplesOf(tracedBundle), samplesOf(baselineBundle), cpu),
        },
      };
    }
    return {
      settings: {
        ...cdkBundling(DEFAULT_TRACING),
        tracing: DEFAULT_TRACING,
        mirrors:
          'functionBundling(tracing) and FUNCTION_RUNTIME of lib/constructs/functions.ts (NodejsFunction bundling), tracing as the default deploy profile sets it',
      },
      initRunsPerBundle: runs,
      initMethod:
        "fresh `node` child per sample, timing require() of the bundle (CPU time, and wall time) with the function's Lambda-like env and dummy values; one discarded warm-up each, then rounds that time the baseline and every bundle in turn; figures are medians, a ratio is the median of the per-round ratios to the baseline (CPU time)",
      baseline: {
        description: `${baselineBundle.entry}: @aws-sdk/client-dynamodb, Powertools idempotency (DynamoDB persistence) and logger, used at module scope`,
        ...baseline,
      },
      functions,
      ...maxRatios(functions),
      listedApart: LISTED_APART,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The bundle part of the printed summary: one line per function, then the two maxima. */
export function bundleLines(bundles: BundleSection): string[] {
  const b = bundles.baseline;
  const row = (name: string, f: BundleFigures, ratios: string) =>
    `  ${name.padEnd(20)} ${kb(f.bytes).padStart(9)}  init cpu ${f.initMs.medianCpuMs.toFixed(0).padStart(4)} ms, wall ${f.initMs.medianMs.toFixed(0).padStart(4)} ms${ratios}`;
  return [
    `bundles (${bundles.settings.target}, tracing ${bundles.settings.tracing ? 'on' : 'off'} as deployed by default, init = median of ${bundles.initRunsPerBundle} rounds, ratios to the baseline (init: per-round CPU time)):`,
    row('baseline', b, ''),
    ...Object.entries(bundles.functions).map(([name, f]) =>
      row(
        name,
        f,
        `  ×${f.vsBaseline.bytesRatio.toFixed(2)} bytes, ×${f.vsBaseline.initRatio.toFixed(2)} init (with tracing ×${f.withTracing.bytesRatio.toFixed(2)}, ×${f.withTracing.initRatio.toFixed(2)})${name in bundles.listedApart ? ' (listed apart)' : ''}`,
      ),
    ),
    `  maxBundleRatio ${bundles.maxBundleRatio} (target ≤ 1.25), maxInitRatio ${bundles.maxInitRatio} (target ≤ 1.2)`,
  ];
}
