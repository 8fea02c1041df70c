import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sim } from '../test/support/http-client';
import { InvariantChecker, type InvariantName } from './invariants';
import { ChaosRuntime, type KillResult } from './runtime';
import { PAYMENT_KINDS, type PaymentKind, runWorkload, seededRandom, type WorkloadPayment } from './workload';

export interface ChaosOptions {
  readonly payments: number;
  readonly kills: number;
  readonly concurrency: number;
  readonly seed: number;
  /** Runs without the completion sweeper: the run must then fail and name what broke. */
  readonly disableCompletionSweeper: boolean;
  /**
   * Runs without webhooks (neither the simulator's nor the workload's hints): a console refund is
   * then never recorded and the run must fail and name it.
   */
  readonly disableWebhooks: boolean;
  /** How long to wait after the workload for sweepers and recovery to finish. */
  readonly settleTimeoutMs: number;
  /** Per step of a payment's script (checkout, confirm, cancel), across kills. */
  readonly stepTimeoutMs: number;
  readonly keepData: boolean;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  payments: 120,
  kills: 3,
  concurrency: 6,
  seed: 1,
  disableCompletionSweeper: false,
  disableWebhooks: false,
  settleTimeoutMs: 120_000,
  stepTimeoutMs: 90_000,
  keepData: false,
};

export interface ChaosReport {
  readonly payments: number;
  readonly kills: number;
  readonly invariants: Record<InvariantName, boolean>;
  readonly details: {
    readonly seed: number;
    readonly wallTimeMs: number;
    readonly settleMs: number;
    readonly completionSweeper: boolean;
    readonly webhooks: boolean;
    /** Hints the workload sent to `POST /webhooks/toss` (the simulator's own deliveries aside). */
    readonly webhookHints: number;
    readonly kinds: Record<PaymentKind, number>;
    /** Per kill: messages waiting on the consumers' queues (wallet, ledger, completion) just before it. */
    readonly inFlightAtKill: readonly number[];
    readonly restartMs: readonly number[];
    readonly killResults: readonly KillResult[];
    readonly violations: Partial<Record<InvariantName, string[]>>;
    readonly unfinishedSteps: readonly string[];
    readonly unexpectedAnswers: readonly string[];
    readonly dataDir?: string;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Short cadences so a run takes minutes: sweepers every second, recovery's backoff in seconds,
 * PSP timeouts of about a second (the logic is the same as with the production values).
 */
function runtimeEnv(options: ChaosOptions): NodeJS.ProcessEnv {
  return {
    PSP_REQUEST_TIMEOUT_MS: '1000',
    PSP_RETRY_BUDGET_MS: '4000',
    PSP_SIM_HANG_MS: '1500',
    EXECUTING_STALE_AFTER_MS: '8000',
    UNKNOWN_FIRST_CHECK_AFTER_MS: '1000',
    RECOVERY_BASE_DELAY_MS: '1000',
    RECOVERY_MAX_DELAY_MS: '4000',
    SCHEDULE_RECOVERY_MS: '1000',
    SCHEDULE_OUTBOX_SWEEPER_MS: '1000',
    OUTBOX_STALE_AFTER_MS: '3000',
    SCHEDULE_COMPLETION_SWEEPER_MS: options.disableCompletionSweeper ? '86400000' : '1000',
    COMPLETION_STALE_AFTER_MS: '3000',
    // Consumers poll an empty queue every 2 s: messages wait there, already marked published, long
    // enough for a kill to lose some that only the completion sweeper brings back.
    LOCAL_QUEUE_IDLE_MS: '2000',
  };
}

/**
 * The chaos run: a mixed workload against the local runtime while the whole runtime is killed
 * with SIGKILL `kills` times at random moments and restarted on the same data; then it waits for
 * the sweepers and recovery and checks the invariants against the PSP's truth.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const random = seededRandom(options.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-chaos-'));
  const runtime = new ChaosRuntime(dataDir, runtimeEnv(options));
  const stopOnExit = () => void runtime.stop();
  process.once('exit', stopOnExit);
  const start = async () => {
    const readyMs = await runtime.start();
    // Each start registers the route with the simulator again.
    if (options.disableWebhooks) await sim.webhooksOff();
    return readyMs;
  };
  const restartMs = [await start()];
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = 'us-east-1';
  const clients = () => ({
    dynamo: new DynamoDBClient({ endpoint: runtime.endpoints.dynamoEndpoint, region, credentials }),
    sqs: new SQSClient({ endpoint: runtime.endpoints.sqsEndpoint, region, credentials }),
  });
  const { dynamo, sqs } = clients();
  const checker = new InvariantChecker(dynamo, sqs);
  try {
    const run = Math.floor(random() * 1e9).toString(36);
    const sellers = Array.from({ length: 8 }, (_, i) => `chaos-${run}-seller-${i}`);
    const orderIds: string[] = [];
    const workload = runWorkload({
      count: options.payments,
      concurrency: options.concurrency,
      sellers,
      random,
      stepTimeoutMs: options.stepTimeoutMs,
      onOrder: (orderId) => orderIds.push(orderId),
      webhooks: { enabled: !options.disableWebhooks },
    });

    const killResults: KillResult[] = [];
    const inFlightAtKill: number[] = [];
    let workloadDone = false;
    const killer = (async () => {
      for (let kill = 0; kill < options.kills; kill++) {
        // Spread over the whole workload, the last one late: a payment whose last event is lost at
        // a kill gets no later event to make up for it, so only the sweepers can heal it.
        const due = Math.ceil((options.payments * (kill + 1)) / (options.kills + 1));
        while (orderIds.length < due && !workloadDone) await sleep(50);
        await sleep(random() * 1_000);
        // Prefer a moment when messages wait on the in-memory queues: the kill loses them unapplied.
        let inFlight = 0;
        for (let look = 0; look < 500 && inFlight === 0; look++) {
          inFlight = await checker.waitingMessages().catch(() => 0);
          if (inFlight === 0) await sleep(10);
        }
        inFlightAtKill.push(inFlight);
        killResults.push(await runtime.kill9());
        restartMs.push(await start());
      }
    })();
    const [payments] = await Promise.all([
      workload.finally(() => {
        workloadDone = true;
      }),
      killer,
    ]);

    const settleStarted = Date.now();
    while (Date.now() - settleStarted < options.settleTimeoutMs) {
      if ((await checker.unsettled(orderIds)).length === 0) break;
      await sleep(1_000);
    }
    const settleMs = Date.now() - settleStarted;
    // Quiet for a moment more: a late redelivery would show up in the checks below.
    await sleep(2_000);
    const { invariants, violations } = await checker.check(orderIds, sellers, killResults);
    const kinds = Object.fromEntries(
      PAYMENT_KINDS.map((kind) => [kind, payments.filter((p) => p.kind === kind).length]),
    ) as Record<PaymentKind, number>;
    const steps = (pick: (p: WorkloadPayment) => readonly string[]) =>
      payments.flatMap((p) => pick(p).map((s) => `${p.orderId}: ${s}`));
    return {
      payments: orderIds.length,
      kills: killResults.length,
      invariants,
      details: {
        seed: options.seed,
        wallTimeMs: Date.now() - startedAt,
        settleMs,
        completionSweeper: !options.disableCompletionSweeper,
        webhooks: !options.disableWebhooks,
        webhookHints: sum(payments.map((p) => p.hints)),
        kinds,
        inFlightAtKill,
        restartMs,
        killResults,
        violations,
        unfinishedSteps: steps((p) => p.unfinished),
        unexpectedAnswers: steps((p) => p.unexpected),
        ...(options.keepData ? { dataDir } : {}),
      },
    };
  } finally {
    dynamo.destroy();
    sqs.destroy();
    await runtime.stop();
    process.off('exit', stopOnExit);
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}
