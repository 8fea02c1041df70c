import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { cdkBundling, DEFAULT_TRACING } from './bundles';
import type { ReconciliationDayInput, ReconciliationDayResult } from './reconciliation-day';
import { round } from './stats';

export interface ReconciliationSection {
  readonly settlementRows: number;
  readonly orders: number;
  /** The rows are read once and spilled by partition; each pass merges one partition of orders. */
  readonly passes: number;
  readonly settlementPageSize: number;
  readonly method: string;
  readonly elapsedMs: number;
  /** The day's settlement rows over the wall time of the whole run (all passes, corrections, report). */
  readonly rowsPerSecond: number;
  /** Sampled, garbage included: depends on when V8 collects. */
  readonly peakHeapUsedMb: number;
  /** The child's peak resident set (the kernel's high-water mark). */
  readonly peakRssMb: number;
  /** After a forced collection, just before the run. */
  readonly heapUsedBeforeMb: number;
  readonly rssBeforeMb: number;
  readonly memorySamples: number;
  readonly summary: ReconciliationDayResult['summary'];
}

type ChildMessage = { ok: true; result: ReconciliationDayResult } | { ok: false; error: string };

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

/**
 * The child runs bench/reconciliation-day.ts bundled as the functions are (plain `node`, no
 * TypeScript loader in its memory), so its resident set is the use case's, as in Lambda.
 */
async function runChild(input: ReconciliationDayInput, timeoutMs: number): Promise<ReconciliationDayResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'payments-reconciliation-'));
  try {
    const file = join(outDir, 'reconciliation-day.js');
    await build({
      ...cdkBundling(DEFAULT_TRACING),
      entryPoints: [resolve(__dirname, 'reconciliation-day.ts')],
      outfile: file,
      logLevel: 'warning',
    });
    return await forkChild(file, input, timeoutMs);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function forkChild(
  file: string,
  input: ReconciliationDayInput,
  timeoutMs: number,
): Promise<ReconciliationDayResult> {
  return new Promise((resolveResult, reject) => {
    const child = fork(file, [JSON.stringify(input)], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answer: ChildMessage | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (message: ChildMessage) => {
      answer = message;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok) resolveResult(answer.result);
      else reject(new Error(answer ? answer.error : `reconciliation child exited ${signal ?? code}`));
    });
  });
}

/** The synthetic day of the memory test, scaled: `approvals` plus one cancel row per 19 of them. */
export async function measureReconciliation(approvals: number): Promise<ReconciliationSection> {
  const result = await runChild({ approvals, internalPageRows: 1_000 }, 600_000);
  if (result.summary.settlementRows !== result.rows) {
    throw new Error(`reconciliation read ${result.summary.settlementRows} of ${result.rows} settlement rows`);
  }
  return {
    settlementRows: result.rows,
    orders: result.orders,
    passes: result.passes,
    settlementPageSize: result.settlementPageSize,
    method:
      'reconciliationUseCase with the default settings in a forked child (node --expose-gc, nothing else in its heap) over in-memory fakes that generate pages on the fly, as test/integration/reconciliation-memory.test.ts: a PSP serving the synthetic day (every 19th approval also canceled in part) and a day index with a few orders missing, held UNKNOWN (corrected) or with another amount; heapUsed sampled at every settlement page, merge point and 10 ms timer, peak RSS from the kernel (resourceUsage().maxRSS); rows/s = settlement rows of the day / wall time of the run, fakes included',
    elapsedMs: round(result.elapsedMs, 0),
    rowsPerSecond: round(result.rows / (result.elapsedMs / 1000), 0),
    peakHeapUsedMb: mb(result.peakHeapUsedBytes),
    peakRssMb: mb(result.peakRssBytes),
    heapUsedBeforeMb: mb(result.heapUsedBeforeBytes),
    rssBeforeMb: mb(result.rssBeforeBytes),
    memorySamples: result.samples,
    summary: result.summary,
  };
}
