import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbReconciliationStore } from '../adapters/dynamodb/reconciliation-store';
import { DynamoDbWalletTotals } from '../adapters/dynamodb/wallet-totals';
import { FolderReportSink } from '../adapters/folder/folder-report-sink';
import { S3ReportSink } from '../adapters/s3/s3-report-sink';
import { DEFAULT_RECONCILIATION_SETTINGS, type ReconciliationDeps } from '../application/reconciliation';
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
    ledger: ledgerStore(client),
    wallets: new DynamoDbWalletTotals(documentClient(client), requiredEnv('WALLETS_TABLE')),
    clock: systemClock,
    settings: {
      ...DEFAULT_RECONCILIATION_SETTINGS,
      passes: optionalNumberEnv('RECONCILIATION_PASSES') ?? DEFAULT_RECONCILIATION_SETTINGS.passes,
    },
  };
}
