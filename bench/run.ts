/**
 * `npm run bench` (DESIGN §10): bundle size and module init per function beside a bare-SDK
 * baseline, confirm latency and throughput on the local stack, DynamoDB requests and capacity
 * per confirm, a payment's whole life billed at AWS list prices, outbox lag on the local stack,
 * recovery cost vs table size, reconciliation rows/s and peak memory. Writes reports/bench.json and prints a summary.
 */
import { resolve } from 'node:path';
import { topology } from '../lib/topology';
import { type StartedLocalStack, startLocalStack, stopLocalStack } from '../test/support/local-stack';
import { INIT_RUNS, measureBundles } from './bundle-report';
import { measureConfirmLoad } from './confirm-load';
import { measureDynamoDbCost } from './dynamodb-cost';
import { benchSummary } from './headline';
import { measureOutboxLag } from './outbox-lag';
import { measurePaymentCost } from './payment-cost';
import { measureReconciliation } from './reconciliation';
import { measureRecoveryCost } from './recovery-cost';
import { type BenchReport, environment, isFailed, type Section, writeReport } from './report';
import { msSince, round } from './stats';
import { summarize } from './summary';
import { DEFAULT_ASSUMPTIONS, throughputModel } from './throughput-model';

const ROOT = resolve(__dirname, '..');
const REPORT_FILE = resolve(ROOT, 'reports/bench.json');

const SETTINGS = {
  initRuns: INIT_RUNS,
  payments: 200,
  concurrency: 8,
  warmupConfirms: 16,
  costConfirms: 20,
  /** Lines per order of the WCU measurement: a small order and the contract's largest. */
  costOrderLines: [2, 50],
  outboxLag: { payments: 50, concurrency: 4, warmup: 4, pollIntervalMs: 10, giveUpMs: 20_000 },
  recovery: { tableSizes: [1_000, 10_000], stuck: 20, seedConcurrency: 16 },
  /** With one cancel row per 19 approvals: 1,000,000 settlement rows. */
  reconciliationApprovals: 950_000,
};

let failures = 0;

/** Runs one part of the bench; a failure is recorded in its place and the rest still runs. */
async function section<T>(name: string, measure: () => Promise<T>): Promise<Section<T>> {
  const start = process.hrtime.bigint();
  process.stderr.write(`[bench] ${name}...\n`);
  try {
    const result = await measure();
    process.stderr.write(`[bench] ${name} done in ${(msSince(start) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    failures++;
    process.stderr.write(`[bench] ${name} FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const start = process.hrtime.bigint();

  // Before the stack starts, so the init timings and the reconciliation child have the machine to themselves.
  const bundles = await section('bundles and module init', () =>
    measureBundles(ROOT, topology, SETTINGS.initRuns),
  );
  const reconciliation = await section('reconciliation rows/s and peak memory', () =>
    measureReconciliation(SETTINGS.reconciliationApprovals),
  );

  let stack: StartedLocalStack | undefined;
  const localStack = await section('local stack start', async () => {
    stack = await startLocalStack();
    return { readyMs: stack.readyMs };
  });
  try {
    const started = stack;
    const noStack = async (): Promise<never> => {
      throw new Error('the local stack did not start');
    };
    const confirmLoad = await section('confirm load over HTTP', () =>
      started
        ? measureConfirmLoad(started, {
            payments: SETTINGS.payments,
            concurrency: SETTINGS.concurrency,
            warmup: SETTINGS.warmupConfirms,
          })
        : noStack(),
    );
    const dynamodbPerConfirm = await section('dynamodb requests per confirm', () =>
      started ? measureDynamoDbCost(started, SETTINGS.costConfirms, SETTINGS.costOrderLines) : noStack(),
    );
    const paymentCost = await section("a payment's whole life, billed", () =>
      started ? measurePaymentCost(started) : noStack(),
    );
    const outboxLag = await section('outbox lag', () =>
      started ? measureOutboxLag(started, SETTINGS.outboxLag) : noStack(),
    );
    const recoveryCostVsTableSize = await section('recovery cost vs table size', () =>
      started ? measureRecoveryCost(started, SETTINGS.recovery) : noStack(),
    );

    const wcu2Lines = isFailed(dynamodbPerConfirm)
      ? undefined
      : dynamodbPerConfirm.byOrderSize.find((size) => size.lines === 2)?.firstConfirm.awsModelWcu;
    // The model's table-partition row uses this run's WCU per confirm when there is one.
    const model = throughputModel({
      ...DEFAULT_ASSUMPTIONS,
      confirmWcu: wcu2Lines ?? DEFAULT_ASSUMPTIONS.confirmWcu,
    });
    const report: BenchReport = {
      schemaVersion: 4,
      generatedAt: startedAt.toISOString(),
      durationMs: round(msSince(start), 0),
      environment: environment(ROOT),
      bundles,
      localStack,
      confirmLoad,
      dynamodbPerConfirm,
      paymentCost,
      outboxLag,
      recoveryCostVsTableSize,
      reconciliation,
      throughputModel: model,
      summary: benchSummary({
        bundles,
        dynamodbPerConfirm,
        outboxLag,
        reconciliation,
        throughputModel: model,
        paymentCost,
      }),
    };
    writeReport(REPORT_FILE, report);
    console.log(summarize(report, REPORT_FILE));
  } finally {
    if (stack) await stopLocalStack(stack.process);
  }
}

main()
  .then(() => {
    process.exitCode = failures > 0 ? 1 : 0;
  })
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  });
