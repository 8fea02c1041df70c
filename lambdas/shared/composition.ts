import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAppliedAmounts } from '../adapters/dynamodb/apply-once';
import { traceDelivery } from '../adapters/dynamodb/delivery-trace';
import { DynamoDbLedgerStore } from '../adapters/dynamodb/ledger-store';
import { DynamoDbOutboxStore } from '../adapters/dynamodb/outbox-store';
import { DynamoDbPaymentStore } from '../adapters/dynamodb/payment-store';
import { DynamoDbWalletStore, parseWalletShards } from '../adapters/dynamodb/wallet-store';
import { DEFAULT_RECOVERY_POLICY } from '../domain/recovery';
import type { AppliedAmounts, SettlementLog } from '../ports/completion';
import type { LedgerStore } from '../ports/ledger-store';
import type { OutboxStore } from '../ports/outbox';
import type { PaymentStore } from '../ports/payment-store';
import type { WalletStore } from '../ports/wallet-store';
import { traced } from './telemetry';

/**
 * The composition root of the Lambda handlers, DynamoDB part: clients are created once per
 * execution environment (module scope) and reused across invocations. Configuration comes from
 * the environment the topology declares. The other concerns have their own modules (psp.ts,
 * queues.ts, reconciliation-deps.ts, idempotent.ts), so a function bundles only the clients it calls.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let sharedDynamoDbClient: DynamoDBClient | undefined;

/**
 * The execution environment's one DynamoDB client (traced), shared by every store and the idempotency
 * layer: one connection pool kept alive across invocations, and one client to build at cold start
 * instead of two or three (a client's construction is a few ms of module init).
 */
export function dynamoDbClient(): DynamoDBClient {
  sharedDynamoDbClient ??= traced(new DynamoDBClient({}));
  return sharedDynamoDbClient;
}

export function documentClient(client = dynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function paymentStore(client: DynamoDBClient = dynamoDbClient()): PaymentStore & SettlementLog {
  return new DynamoDbPaymentStore(documentClient(client), requiredEnv('PAYMENTS_TABLE'));
}

export function optionalNumberEnv(name: string): number | undefined {
  const value = process.env[name];
  return value ? Number(value) : undefined;
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

export function outboxStore(client: DynamoDBClient = dynamoDbClient()): OutboxStore {
  return new DynamoDbOutboxStore(documentClient(client), requiredEnv('PAYMENTS_TABLE'));
}

export function walletStore(client: DynamoDBClient = dynamoDbClient()): WalletStore {
  return new DynamoDbWalletStore(
    documentClient(client),
    requiredEnv('WALLETS_TABLE'),
    parseWalletShards(process.env.WALLET_SHARDS),
  );
}

export function ledgerStore(client: DynamoDBClient = dynamoDbClient()): LedgerStore {
  return new DynamoDbLedgerStore(documentClient(client), requiredEnv('LEDGER_TABLE'));
}

/** What the wallet or the ledger consumer has applied per payment (its cursors), read-only. */
export function appliedAmounts(
  tableEnvVar: 'WALLETS_TABLE' | 'LEDGER_TABLE',
  client: DynamoDBClient = dynamoDbClient(),
): AppliedAmounts {
  return new DynamoDbAppliedAmounts(documentClient(client), requiredEnv(tableEnvVar));
}

/** One payment's event delivery as the operator sees it (`ops payment <orderId>`). */
export function deliveryTracer(client: DynamoDBClient = dynamoDbClient()) {
  const tables = {
    payments: requiredEnv('PAYMENTS_TABLE'),
    consumers: { wallet: requiredEnv('WALLETS_TABLE'), ledger: requiredEnv('LEDGER_TABLE') },
  };
  return (orderId: string) => traceDelivery(documentClient(client), tables, orderId);
}
