import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import type { BundleSection } from './bundle-report';
import type { ConfirmLoadSection } from './confirm-load';
import type { DynamoDbCostSection } from './dynamodb-cost';
import type { BenchSummary } from './headline';
import type { OutboxLagSection } from './outbox-lag';
import type { PaymentCostSection } from './payment-cost';
import type { ReconciliationSection } from './reconciliation';
import type { RecoveryCostSection } from './recovery-cost';
import type { ThroughputModel } from './throughput-model';

/** A section that failed in this run; the rest of the report still stands. */
export interface Failed {
  readonly error: string;
}

export type Section<T> = T | Failed;

export interface BenchReport {
  /** 4: `paymentCost` (a payment's whole life, billed); 3: `summary`, `throughputModel`, WCU by AWS's model for 2- and 50-line orders. */
  readonly schemaVersion: 4;
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly environment: Environment;
  readonly bundles: Section<BundleSection>;
  readonly localStack: Section<{ readonly readyMs: number }>;
  readonly confirmLoad: Section<ConfirmLoadSection>;
  readonly dynamodbPerConfirm: Section<DynamoDbCostSection>;
  readonly paymentCost: Section<PaymentCostSection>;
  readonly outboxLag: Section<OutboxLagSection>;
  readonly recoveryCostVsTableSize: Section<RecoveryCostSection>;
  readonly reconciliation: Section<ReconciliationSection>;
  readonly throughputModel: ThroughputModel;
  /** The headline figures of this run (bench/headline.ts). */
  readonly summary: BenchSummary;
}

export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly gitCommit: string | null;
  /** Uncommitted changes in the working tree: the figures are of that tree, not of the commit alone. */
  readonly gitDirty: boolean | null;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function environment(root: string): Environment {
  const status = git(root, ['status', '--porcelain']);
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuCount: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    gitCommit: git(root, ['rev-parse', '--short', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}

export function isFailed<T>(section: Section<T>): section is Failed {
  return typeof section === 'object' && section !== null && 'error' in section;
}

export function writeReport(file: string, report: object): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
