import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAppliedAmounts } from '../adapters/dynamodb/apply-once';
import { traceDelivery } from '../adapters/dynamodb/delivery-trace';
import { DynamoDbLedgerStore } from '../adapters/dynamodb/ledger-store';
import { DynamoDbOutboxStore } from '../adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../adapters/dynamodb/payment-store';
import { DynamoDbReconciliationStore } from '../adapters/dynamodb/reconciliation-store';
import { DynamoDbWalletStore } from '../adapters/dynamodb/wallet-store';
import { DynamoDbWalletTotals } from '../adapters/dynamodb/wallet-totals';
import { FolderReportSink } from '../adapters/folder/folder-report-sink';
import { S3ReportSink } from '../adapters/s3/s3-report-sink';
import { SqsCompletionReporter } from '../adapters/sqs/completion-reporter';
import { SqsEventPublisher } from '../adapters/sqs/event-publisher';
import { TossPaymentGateway } from '../adapters/toss/toss-gateway';
import { DEFAULT_RECONCILIATION_SETTINGS, type ReconciliationDeps } from '../application/reconciliation';
import { DEFAULT_RECOVERY_POLICY } from '../domain/recovery';
import type { AppliedAmounts, CompletionReporter, SettlementLog } from '../ports/completion';
import type { LedgerStore } from '../ports/ledger-store';
import type { EventPublisher, OutboxStore } from '../ports/outbox';
import type { PaymentStore } from '../ports/payment-store';
import type { PaymentGateway, SettlementGateway } from '../ports/psp';
import type { ReportSink } from '../ports/report-sink';
import type { WalletStore } from '../ports/wallet-store';
import { logger } from './observability';

/**
 * The composition root of the Lambda handlers: clients are created once per execution
 * environment (module scope) and reused across invocations. Configuration comes from
 * the environment the topology declares.
 */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function documentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function paymentStore(client: DynamoDBClient = new DynamoDBClient({})): PaymentStore & SettlementLog {
  return new DynamoDbPaymentStore(documentClient(client), requiredEnv('PAYMENTS_TABLE'));
}

export function idempotencyStore(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: requiredEnv('IDEMPOTENCY_TABLE'),
    awsSdkV3Client: client,
  });
}

/** Secrets Manager in AWS (cached by Powertools); a plain variable on the local stack. Never logged. */
async function pspSecretKey(): Promise<string> {
  const arn = process.env.PSP_SECRET_ARN;
  if (!arn) return requiredEnv('PSP_SECRET_KEY');
  const secret = await getSecret<string>(arn, { maxAge: 300 });
  if (!secret) throw new Error('the PSP secret is empty');
  return secret;
}

/** Whether a PSP secret key is set (the deployed secret starts empty); never reveals the value. */
export async function pspConfigured(): Promise<boolean> {
  try {
    return (await pspSecretKey()).length > 0;
  } catch {
    return false;
  }
}

function optionalNumberEnv(name: string): number | undefined {
  const value = process.env[name];
  return value ? Number(value) : undefined;
}

export function paymentGateway(): PaymentGateway & SettlementGateway {
  return new TossPaymentGateway({
    baseUrl: requiredEnv('PSP_BASE_URL'),
    secretKey: pspSecretKey,
    requestTimeoutMs: optionalNumberEnv('PSP_REQUEST_TIMEOUT_MS'),
    retryBudgetMs: optionalNumberEnv('PSP_RETRY_BUDGET_MS'),
    logger,
  });
}

export const systemClock = () => new Date();

export const settings = {
  executingStaleAfterMs: Number(process.env.EXECUTING_STALE_AFTER_MS ?? 60_000),
  unknownFirstCheckAfterMs: Number(process.env.UNKNOWN_FIRST_CHECK_AFTER_MS ?? 30_000),
  outboxStaleAfterMs: Number(process.env.OUTBOX_STALE_AFTER_MS ?? 120_000),
  completionStaleAfterMs: Number(process.env.COMPLETION_STALE_AFTER_MS ?? 300_000),
  recoveryPolicy: {
    baseDelayMs: Number(process.env.RECOVERY_BASE_DELAY_MS ?? DEFAULT_RECOVERY_POLICY.baseDelayMs),
    maxDelayMs: Number(process.env.RECOVERY_MAX_DELAY_MS ?? DEFAULT_RECOVERY_POLICY.maxDelayMs),
    maxAttempts: Number(process.env.RECOVERY_MAX_ATTEMPTS ?? DEFAULT_RECOVERY_POLICY.maxAttempts),
  },
};

export function outboxStore(client: DynamoDBClient = new DynamoDBClient({})): OutboxStore {
  return new DynamoDbOutboxStore(documentClient(client), requiredEnv('PAYMENTS_TABLE'));
}

/** Every queue that receives payment events, in a fixed order. */
export function eventPublisher(client: SQSClient = new SQSClient({})): EventPublisher {
  return new SqsEventPublisher(client, [requiredEnv('WALLET_QUEUE_URL'), requiredEnv('LEDGER_QUEUE_URL')]);
}

export function walletStore(client: DynamoDBClient = new DynamoDBClient({})): WalletStore {
  return new DynamoDbWalletStore(documentClient(client), requiredEnv('WALLETS_TABLE'));
}

export function ledgerStore(client: DynamoDBClient = new DynamoDBClient({})): LedgerStore {
  return new DynamoDbLedgerStore(documentClient(client), requiredEnv('LEDGER_TABLE'));
}

/** What the wallet or the ledger consumer has applied per payment (its cursors), read-only. */
export function appliedAmounts(
  tableEnvVar: 'WALLETS_TABLE' | 'LEDGER_TABLE',
  client: DynamoDBClient = new DynamoDBClient({}),
): AppliedAmounts {
  return new DynamoDbAppliedAmounts(documentClient(client), requiredEnv(tableEnvVar));
}

/** Where the wallet and ledger consumers report each event they have applied. */
export function completionReporter(client: SQSClient = new SQSClient({})): CompletionReporter {
  return new SqsCompletionReporter(client, requiredEnv('COMPLETION_QUEUE_URL'));
}

/** S3 when the topology's reports bucket is wired (AWS); otherwise a folder, `reports/` by default. */
function reportSink(): ReportSink {
  const bucket = process.env.REPORTS_BUCKET;
  if (bucket) return new S3ReportSink(new S3Client({}), bucket);
  return new FolderReportSink(process.env.REPORTS_DIR ?? 'reports');
}

/** Everything a reconciliation run needs: the scheduled handler and `npm run ops -- reconcile` share it. */
export function reconciliationDeps(client: DynamoDBClient = new DynamoDBClient({})): ReconciliationDeps {
  const psp = paymentGateway();
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
      partitionsPerShard:
        optionalNumberEnv('RECONCILIATION_PARTITIONS_PER_SHARD') ??
        DEFAULT_RECONCILIATION_SETTINGS.partitionsPerShard,
    },
  };
}

/** One payment's event delivery as the operator sees it (`ops payment <orderId>`). */
export function deliveryTracer(client: DynamoDBClient = new DynamoDBClient({})) {
  const tables = {
    payments: requiredEnv('PAYMENTS_TABLE'),
    consumers: { wallet: requiredEnv('WALLETS_TABLE'), ledger: requiredEnv('LEDGER_TABLE') },
  };
  return (orderId: string) => traceDelivery(documentClient(client), tables, orderId);
}
