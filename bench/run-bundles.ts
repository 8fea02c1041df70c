/**
 * `npm run bench:bundles`: only the bundle part of `npm run bench` (sizes, module init and the
 * ratios to the baseline), written to reports/bench-bundles.json. No local stack needed.
 */
import { resolve } from 'node:path';
import { topology } from '../lib/topology';
import { bundleLines, INIT_RUNS, measureBundles } from './bundle-report';
import { environment, writeReport } from './report';

const ROOT = resolve(__dirname, '..');
const REPORT_FILE = resolve(ROOT, 'reports/bench-bundles.json');

measureBundles(ROOT, topology, INIT_RUNS)
  .then((bundles) => {
    writeReport(REPORT_FILE, {
      generatedAt: new Date().toISOString(),
      environment: environment(ROOT),
      bundles,
    });
    console.log([...bundleLines(bundles), `report: ${REPORT_FILE}`].join('\n'));
  })
  .catch((error: unknown) => {
    console.error('bench:bundles failed:', error);
    process.exitCode = 1;
  });
