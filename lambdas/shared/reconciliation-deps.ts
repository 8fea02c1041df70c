import { tmpdir } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbReconciliationStore } from '../adapters/dynamodb/reconciliation-store';
import { DynamoDbWalletTotals } from '../adapters/dynamodb/wallet-totals';
import { FolderReportSink } from '../adapters/folder/folder-report-sink';
import { FolderSettlementSpills } from '../adapters/folder/folder-settlement-spill';
import { S3ReportSink } from '../adapters/s3/s3-report-sink';
import {
  DEFAULT_RECONCILIATION_SETTINGS,
  type ReconciliationDeps,
  type ReconciliationSettings,
} from '../application/reconciliation';
import { SETTLEMENT_CYCLES } from '../domain/business-day';
import { SETTLEMENT_DATE_TYPES } from '../ports/psp';
import type { ReportSink } from '../ports/report-sink';
import {
  documentClient,
  dynamoDbClient,
  ledgerStore,
  optionalNumberEnv,
  paymentStore,
  requiredEnv,
  systemClock,
} from './composition';
import { paymentGateway } from './psp';
import { type Telemetry, traced } from './telemetry';

/** S3 when the topology's reports bucket is wired (AWS); otherwise a folder, `reports/` by default. */
function reportSink(): ReportSink {
  const bucket = process.env.REPORTS_BUCKET;
  if (bucket) return new S3ReportSink(traced(new S3Client({})), bucket);
  return new FolderReportSink(process.env.REPORTS_DIR ?? 'reports');
}

/** Everything a reconciliation run needs: the scheduled handler and `npm run ops -- reconcile` share it. */
export function reconciliationDeps(
  telemetry: Telemetry,
  client: DynamoDBClient = dynamoDbClient(),
): ReconciliationDeps {
  const psp = paymentGateway(telemetry);
  return {
    psp,
    settlements: psp,
    store: new DynamoDbReconciliationStore(documentClient(client), requiredEnv('PAYMENTS_TABLE')),
    payments: paymentStore(client),
    reports: reportSink(),
    // The function's own disk (/tmp in Lambda): the rows of one day, read once, merged by partition.
    spills: new FolderSettlementSpills(tmpdir()),
    ledger: ledgerStore(client),
    wallets: new DynamoDbWalletTotals(documentClient(client), requiredEnv('WALLETS_TABLE')),
    clock: systemClock,
    settings: reconciliationSettings(),
  };
}

/** The defaults, overridden by the RECONCILIATION_* variables; a bad value fails at start, not at night. */
export function reconciliationSettings(): ReconciliationSettings {
  const defaults = DEFAULT_RECONCILIATION_SETTINGS;
  const settings = {
    ...defaults,
    passes: optionalNumberEnv('RECONCILIATION_PASSES') ?? defaults.passes,
    settlementLagHours:
      optionalNumberEnv('RECONCILIATION_SETTLEMENT_LAG_HOURS') ?? defaults.settlementLagHours,
    recheckDays: optionalNumberEnv('RECONCILIATION_RECHECK_DAYS') ?? defaults.recheckDays,
    dateType: oneOfEnv('RECONCILIATION_DATE_TYPE', SETTLEMENT_DATE_TYPES) ?? defaults.dateType,
    cycle: oneOfEnv('RECONCILIATION_SETTLEMENT_CYCLE', SETTLEMENT_CYCLES) ?? defaults.cycle,
  };
  for (const [name, value] of Object.entries({
    passes: settings.passes,
    recheckDays: settings.recheckDays,
  })) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`reconciliation ${name} must be a whole number`);
  }
  if (!(settings.settlementLagHours >= 0 && settings.settlementLagHours <= 24 * 7)) {
    throw new Error('RECONCILIATION_SETTLEMENT_LAG_HOURS must be 0-168');
  }
  return settings;
}

function oneOfEnv<T extends string>(name: string, values: readonly T[]): T | undefined {
  const value = process.env[name];
  if (!value) return undefined;
  const known = values.find((candidate) => candidate === value);
  if (!known) throw new Error(`${name} must be one of ${values.join(', ')}`);
  return known;
}
