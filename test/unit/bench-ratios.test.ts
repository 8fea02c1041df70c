import {
  type BundleFiguresVsBaseline,
  LISTED_APART,
  maxRatios,
  pairedRatio,
} from '../../bench/bundle-report';
import { cdkBundling } from '../../bench/bundles';
import { FUNCTION_BUNDLING, FUNCTION_RUNTIME, TRACING_SWITCH } from '../../lib/constructs/functions';

const figures = (bytesRatio: number, initRatio: number) =>
  ({ vsBaseline: { bytesRatio, initRatio } }) as unknown as BundleFiguresVsBaseline;

test('the maxima run over every function except those listed apart', () => {
  const apart = Object.keys(LISTED_APART)[0] as string;
  expect(
    maxRatios({ confirmPayment: figures(1.2, 1.1), wallet: figures(1.1, 1.3), [apart]: figures(9, 9) }),
  ).toEqual({ maxBundleRatio: 1.2, maxInitRatio: 1.3 });
});

test('there is no maximum without a function that counts', () => {
  expect(() => maxRatios({ [Object.keys(LISTED_APART)[0] as string]: figures(1, 1) })).toThrow();
});

test.each([false, true])(
  "the bench bundles with the construct's own esbuild options (tracing %s)",
  (tracing) => {
    const options = cdkBundling(tracing);
    expect(options).toMatchObject({
      bundle: true,
      platform: 'node',
      format: FUNCTION_BUNDLING.format,
      minify: FUNCTION_BUNDLING.minify,
      sourcemap: FUNCTION_BUNDLING.sourceMap,
      mainFields: FUNCTION_BUNDLING.mainFields,
      external: FUNCTION_BUNDLING.bundleAwsSDK ? [] : ['@aws-sdk/*'],
      define: { [TRACING_SWITCH]: JSON.stringify(String(tracing)) },
    });
    expect(FUNCTION_RUNTIME.name).toBe(`nodejs${options.target.replace('node', '')}.x`);
  },
);

test('an init ratio pairs each round with the baseline of the same round, so drift cancels', () => {
  const samples = (...cpuMs: number[]) => cpuMs.map((ms) => ({ ms, cpuMs: ms, rssBytes: 0 }));
  // The machine slows down threefold over the run; the function always costs 1.1x the baseline.
  const baseline = samples(50, 100, 150, 60, 140);
  const own = samples(55, 110, 165, 66, 154);
  expect(pairedRatio(own, baseline, (s) => s.cpuMs)).toBe(1.1);
  // One disturbed round moves the median of the ratios not at all.
  expect(pairedRatio(samples(55, 110, 400, 66, 154), baseline, (s) => s.cpuMs)).toBe(1.1);
  expect(() => pairedRatio([], baseline, (s) => s.cpuMs)).toThrow();
});
