import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BucketSpec, KeySpec, TableSpec } from '../../lib/topology';
import type { LocalQueue } from './wiring';

export interface ProvisionedQueue {
  readonly url: string;
  readonly arn: string;
}

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const keys: KeySpec[] = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
  for (const index of spec.indexes) keys.push(index.partitionKey, ...(index.sortKey ? [index.sortKey] : []));
  const unique = new Map(keys.map((k) => [k.name, k.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function keySchema(partitionKey: KeySpec, sortKey?: KeySpec) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

/** Creates the table if it is missing (data persists across restarts); returns its stream ARN. */
export async function ensureTable(
  dynamo: DynamoDBClient,
  name: string,
  spec: TableSpec,
): Promise<string | undefined> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(spec),
        KeySchema: keySchema(spec.partitionKey, spec.sortKey),
        GlobalSecondaryIndexes: spec.indexes.length
          ? spec.indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection:
                index.projection === 'KEYS_ONLY'
                  ? { ProjectionType: 'KEYS_ONLY' }
                  : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.include] },
            }))
          : undefined,
        StreamSpecification: spec.stream ? { StreamEnabled: true, StreamViewType: spec.stream } : undefined,
      }),
    );
    if (spec.ttlAttribute) {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { Enabled: true, AttributeName: spec.ttlAttribute },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const described = await dynamo.send(new DescribeTableCommand({ TableName: name }));
  return described.Table?.LatestStreamArn;
}

export async function ensureQueue(
  sqs: SQSClient,
  queue: LocalQueue,
  arnOf: (queueName: string) => string,
): Promise<ProvisionedQueue> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionDays * 86_400),
  };
  if (queue.fifo) {
    attributes.FifoQueue = 'true';
    attributes.ContentBasedDeduplication = 'false';
  }
  if (queue.deadLetter) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arnOf(queue.deadLetter.queue),
      maxReceiveCount: queue.deadLetter.maxReceiveCount,
    });
  }
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: queue.physicalName, Attributes: attributes }),
  );
  const url = created.QueueUrl ?? '';
  const described = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: described.Attributes?.QueueArn ?? '' };
}

/**
 * A folder per bucket under `root` (kept across restarts), or, in memory, under a temporary folder that
 * `cleanUp` removes, like the rest of an in-memory stack's data. `env` points handlers at the folders.
 */
export async function ensureBucketFolders(
  buckets: readonly { name: string; spec: BucketSpec }[],
  root: string | undefined,
): Promise<{ env: Record<string, string>; cleanUp: () => Promise<void> }> {
  const base = root ?? (await mkdtemp(join(tmpdir(), 'payments-buckets-')));
  const env: Record<string, string> = {};
  for (const { name, spec } of buckets) {
    const folder = join(base, name);
    await mkdir(folder, { recursive: true });
    env[spec.localDirEnvVar] = folder;
  }
  return { env, cleanUp: () => (root ? Promise.resolve() : rm(base, { recursive: true, force: true })) };
}
