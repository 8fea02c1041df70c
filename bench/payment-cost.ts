import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { topology } from '../lib/topology';
import type { LocalStackEndpoints } from '../test/support/local-stack';
import type { LifeCost, PaymentLife } from './payment-life';
import { round } from './stats';

/**
 * What AWS bills for one payment's life, from what `bench/payment-life.ts` measured: DynamoDB
 * request units, Lambda requests and GB-seconds (arm64, as lib/constructs/functions.ts deploys),
 * SQS requests, API Gateway REST requests. List prices in us-east-1, without free tiers.
 */
export const PRICES_USD = {
  region: 'us-east-1',
  read: '2026-12-06',
  dynamodb: {
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
  },
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/',
    perMillionRequests: 0.2,
    /** Arm, first tier (up to 7.5 billion GB-seconds a month). */
    perGbSecondArm: 0.0000133334,
  },
  sqs: {
    source: 'https://aws.amazon.com/sqs/pricing/',
    perMillionStandardRequests: 0.4,
    perMillionFifoRequests: 0.5,
  },
  apiGateway: {
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    /** REST API (lib/constructs/http-api.ts), first 333 million requests a month. */
    perMillionRestRequests: 3.5,
  },
} as const;

/** Not billed here: stream reads by Lambda triggers are free; storage, logs, WAF and data transfer are left out. */
const LEFT_OUT =
  'DynamoDB Streams reads by Lambda triggers are free; storage, CloudWatch logs and metrics, WAF (prod profile), KMS/Secrets Manager calls (cached) and data transfer are left out';

/**
 * WCU per 2-line payment's life (checkout through the status read) before this change, measured by
 * `bench/payment-life.ts` on commit 772e073 (2026-12-06): checkout 3, confirm 11, publish 2,
 * wallet 8, ledger 12, completion 15, status read 0. Reproduce: check out 772e073, add
 * bench/payment-life.ts, run it against `npm start -- --in-memory`.
 */
export const LIFE_WRU_2_LINES_BEFORE = 51;

export interface CostBreakdown {
  readonly dynamodb: number;
  readonly lambda: number;
  readonly sqs: number;
  readonly apiGateway: number;
  readonly total: number;
}

export interface PaymentCostSection {
  readonly life: PaymentLife;
  readonly prices: typeof PRICES_USD;
  readonly leftOut: string;
  readonly assumptions: string;
  /** USD per million payments (checkout to status read), by service. */
  readonly perMillionPayments: CostBreakdown;
  /** USD per million full cancels (request to completion), by service. */
  readonly perMillionCancels: CostBreakdown;
  readonly lifeWru2Lines: number;
  readonly lifeWru2LinesBefore: number;
}

/**
 * One life's bill, per million. Lambda: each invocation's measured time (local, so slower than in
 * AWS) × the function's memory; SQS: every send as measured, and for every message sent one
 * ReceiveMessage and one DeleteMessage by the event source mapping (an upper bound: under load
 * it receives and deletes up to 10 at a time). Sends by the publisher go to FIFO queues, the
 * consumers' completion reports to the standard one.
 */
export function billOf(life: LifeCost): CostBreakdown {
  const p = PRICES_USD;
  const dynamodb =
    life.wcu * p.dynamodb.perMillionWriteRequestUnits + life.rcu * p.dynamodb.perMillionReadRequestUnits;
  let lambda = 0;
  let fifo = 0;
  let standard = 0;
  for (const step of Object.values(life.steps)) {
    const gb = topology.functions[step.fn].memoryMb / 1024;
    const gbSeconds = step.invocations * (Math.ceil(step.ms) / 1000) * gb;
    lambda += step.invocations * p.lambda.perMillionRequests + gbSeconds * 1e6 * p.lambda.perGbSecondArm;
    const messages = step.sqsSends * 3;
    if (step.fn === 'publisher') fifo += messages;
    else standard += messages;
  }
  const sqs = fifo * p.sqs.perMillionFifoRequests + standard * p.sqs.perMillionStandardRequests;
  const apiGateway = life.apiCalls * p.apiGateway.perMillionRestRequests;
  const money = (usd: number) => round(usd, 2);
  return {
    dynamodb: money(dynamodb),
    lambda: money(lambda),
    sqs: money(sqs),
    apiGateway: money(apiGateway),
    total: money(dynamodb + lambda + sqs + apiGateway),
  };
}

/** Runs bench/payment-life.ts in a child process against the stack's DynamoDB Local and PSP simulator. */
export async function measurePaymentCost(stack: LocalStackEndpoints): Promise<PaymentCostSection> {
  const root = resolve(__dirname, '..');
  const output = await new Promise<string>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        resolve(root, 'node_modules/tsx/dist/cli.mjs'),
        'bench/payment-life.ts',
        stack.dynamoEndpoint,
        stack.pspUrl,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done(stdout) : fail(new Error(`payment life exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
  const life = JSON.parse(output.trim().split('\n').at(-1) ?? '') as PaymentLife;
  return {
    life,
    prices: PRICES_USD,
    leftOut: LEFT_OUT,
    assumptions:
      'Lambda arm64 at the topology memory, billed by the measured handler time rounded up to 1 ms (local emulators on a shared 2-core machine: slower than AWS); SQS: one ReceiveMessage and one DeleteMessage per message sent; API Gateway REST: checkout, confirm and one status read per payment, one call per cancel',
    perMillionPayments: billOf(life.payment),
    perMillionCancels: billOf(life.cancel),
    lifeWru2Lines: life.payment.wcu,
    lifeWru2LinesBefore: LIFE_WRU_2_LINES_BEFORE,
  };
}
