import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../lib/topology';
import { BASELINE_NAME, type BuiltBundle, buildBundle, bundleTargets, CDK_BUNDLING } from './bundles';
import { type InitSample, sampleInits } from './module-init';
import { median, round } from './stats';

export interface InitFigures {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

export interface BundleFigures {
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** As deployed: NODE_OPTIONS=--enable-source-maps. */
  readonly initMs: InitFigures;
  readonly initMsWithoutSourceMaps: InitFigures;
  readonly rssAfterInitMb: number;
}

export interface BundleFiguresVsBaseline extends BundleFigures {
  readonly vsBaseline: {
    readonly extraBytes: number;
    readonly bytesRatio: number;
    readonly extraInitMs: number;
    readonly initRatio: number;
  };
}

export interface BundleSection {
  readonly settings: typeof CDK_BUNDLING & { readonly mirrors: string };
  readonly initRunsPerBundle: number;
  readonly initMethod: string;
  readonly baseline: BundleFigures & { readonly description: string };
  readonly functions: Readonly<Record<string, BundleFiguresVsBaseline>>;
}

function initFigures(samples: readonly InitSample[]): InitFigures {
  const ms = samples.map((s) => s.ms);
  return {
    medianMs: round(median(ms)),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    samplesMs: ms.map((x) => round(x)),
  };
}

function figures(
  bundle: BuiltBundle,
  withMaps: readonly InitSample[],
  withoutMaps: readonly InitSample[],
): BundleFigures {
  return {
    entry: bundle.entry,
    bytes: bundle.bytes,
    gzipBytes: bundle.gzipBytes,
    sourceMapBytes: bundle.sourceMapBytes,
    initMs: initFigures(withMaps),
    initMsWithoutSourceMaps: initFigures(withoutMaps),
    rssAfterInitMb: round(median(withMaps.map((s) => s.rssBytes)) / 2 ** 20, 1),
  };
}

/** Bundles every topology function and the bare-SDK baseline, then times their module init. */
export async function measureBundles(root: string, topology: Topology, runs: number): Promise<BundleSection> {
  const outDir = await mkdtemp(join(tmpdir(), 'payments-bench-'));
  try {
    const bundles: BuiltBundle[] = [];
    for (const target of bundleTargets(topology)) bundles.push(await buildBundle(root, outDir, target));
    const withMaps = await sampleInits(bundles, runs, { sourceMaps: true });
    const withoutMaps = await sampleInits(bundles, runs, { sourceMaps: false });
    const of = (bundle: BuiltBundle) =>
      figures(bundle, withMaps.get(bundle.name) ?? [], withoutMaps.get(bundle.name) ?? []);

    const baselineBundle = bundles.find((b) => b.name === BASELINE_NAME);
    if (!baselineBundle) throw new Error('the baseline bundle is missing');
    const baseline = of(baselineBundle);
    const functions: Record<string, BundleFiguresVsBaseline> = {};
    for (const bundle of bundles) {
      if (bundle === baselineBundle) continue;
      const own = of(bundle);
      functions[bundle.name] = {
        ...own,
        vsBaseline: {
          extraBytes: own.bytes - baseline.bytes,
          bytesRatio: round(own.bytes / baseline.bytes),
          extraInitMs: round(own.initMs.medianMs - baseline.initMs.medianMs),
          initRatio: round(own.initMs.medianMs / baseline.initMs.medianMs),
        },
      };
    }
    return {
      settings: { ...CDK_BUNDLING, mirrors: 'lib/constructs/functions.ts (NodejsFunction bundling)' },
      initRunsPerBundle: runs,
      initMethod:
        'fresh `node` child per sample, timing require() of the bundle with dummy handler env; median of the runs after one discarded warm-up, runs interleaved across bundles',
      baseline: {
        description: `${baselineBundle.entry}: imports @aws-sdk/client-dynamodb and creates a client, nothing else`,
        ...baseline,
      },
      functions,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
