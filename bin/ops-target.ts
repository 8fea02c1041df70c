import { resolve } from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient, ListFunctionsCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  entries,
  type FunctionName,
  STACK_TAG,
  stackNames,
  stackPrefixOf,
  TOPOLOGY_TAG,
  topology,
} from '../lib/topology';
import { loadFunction } from '../local/runtime/functions';
import { type LocalQueue, localTopology, planLocalWiring } from '../local/runtime/wiring';

/** Where an operator command acts: the local stack, or one deployed copy of the stacks. */
export interface OpsTarget {
  /** Printed before anything is done, so the operator sees what is acted on. */
  readonly description: string;
  readonly sqs: SQSClient;
  /** URL of a queue by topology name (`wallet`, `wallet-dlq`, `publish-failures`). */
  queueUrl(name: string): string;
  /** Points this process's `lambdas/shared/composition` at the target's tables and queues. */
  useComposition(): Promise<void>;
  /** Runs a topology function once: in this process on the local stack, the deployed function on AWS. */
  invoke(fn: FunctionName, event: unknown): Promise<unknown>;
}

/** The queues as the laptop runs them, or as `QUEUE_SHARDS` says the deployed copy has them (`queueShards`). */
export const wiring = planLocalWiring(localTopology());

function lookup(map: ReadonlyMap<string, string>, what: string, name: string): string {
  const found = map.get(name);
  if (!found) throw new Error(`no ${what} named ${name} in ${[...map.keys()].join(', ')}`);
  return found;
}

/** The configuration `lambdas/shared/composition` reads, pointed at the target's tables and queues. */
function exportWiring(tables: ReadonlyMap<string, string>, queues: ReadonlyMap<string, string>): void {
  for (const [name, spec] of entries(topology.tables))
    process.env[spec.envVar] = lookup(tables, 'table', name);
  for (const queue of wiring.queues) {
    if (queue.envVar) process.env[queue.envVar] = lookup(queues, 'queue', queue.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Local stack

const NOT_THERE = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
]);

/** Runs `probe`; explains "nothing answers" and "something else answers" instead of acting on either. */
async function expectLocal<T>(service: string, portVar: string, what: string, probe: () => Promise<T>) {
  try {
    return await probe();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const hint = `start it with \`npm start\`, or set ${portVar} to the port it printed`;
    if (NOT_THERE.has(name)) {
      throw new Error(
        `${service} answers but has no ${what}: it is not this project's local stack (${hint})`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`nothing usable answers at ${service} (${reason || name}): ${hint}`);
  }
}

/**
 * The local stack on the ports `npm start` uses (or those set in the environment). Refuses unless
 * the SQS and DynamoDB found there hold this project's queues and tables.
 */
export async function localTarget(): Promise<OpsTarget> {
  const env = process.env;
  const sqsEndpoint = env.AWS_ENDPOINT_URL_SQS ?? `http://127.0.0.1:${env.SQS_PORT ?? 9324}`;
  const dynamoEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB ?? `http://127.0.0.1:${env.DYNAMODB_PORT ?? 8000}`;
  // The stack's own settings, as the runtime hands them to handlers; anything already set wins.
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_ENDPOINT_URL_SQS = sqsEndpoint;
  env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;
  env.PSP_BASE_URL ??= `http://127.0.0.1:${env.PSP_SIM_PORT ?? 4010}`;
  env.PSP_SECRET_KEY ??= 'test_sk_local_simulator';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // Not the bucket: REPORTS_BUCKET would mean S3. Reports go to REPORTS_DIR, or reports/ here.
  env.REPORTS_DIR ??= resolve(__dirname, '..', 'reports');

  const config = { region: env.AWS_REGION, maxAttempts: 2 };
  const sqs = new SQSClient({ ...config, endpoint: sqsEndpoint });
  const dynamo = new DynamoDBClient({ ...config, endpoint: dynamoEndpoint });
  const queues = new Map<string, string>();
  for (const queue of wiring.queues) {
    const { QueueUrl } = await expectLocal(
      `local SQS ${sqsEndpoint}`,
      'SQS_PORT',
      `queue ${queue.physicalName}`,
      () => sqs.send(new GetQueueUrlCommand({ QueueName: queue.physicalName })),
    );
    queues.set(queue.name, QueueUrl ?? '');
  }
  const tables = new Map<string, string>();
  for (const name of Object.keys(topology.tables)) {
    await expectLocal(`DynamoDB Local ${dynamoEndpoint}`, 'DYNAMODB_PORT', `table ${name}`, () =>
      dynamo.send(new DescribeTableCommand({ TableName: name })),
    );
    tables.set(name, name);
  }
  // Locally, handlers run in this process, so their configuration is set up front.
  exportWiring(tables, queues);
  const root = resolve(__dirname, '..');
  return {
    description: `local stack (SQS ${sqsEndpoint}, DynamoDB ${dynamoEndpoint}, PSP simulator ${env.PSP_BASE_URL})`,
    sqs,
    queueUrl: (name) => lookup(queues, 'queue', name),
    useComposition: async () => undefined,
    invoke: async (fn, event) => (await loadFunction(root, fn, topology.functions[fn])).invoke(event),
  };
}

// ---------------------------------------------------------------------------------------------
// A deployed copy

interface Tagged {
  readonly id: string;
  readonly topologyName: string;
  readonly stack: string;
}

async function taggedQueues(sqs: SQSClient): Promise<Tagged[]> {
  const found: Tagged[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ NextToken, MaxResults: 1000 }));
    for (const url of page.QueueUrls ?? []) {
      const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      const topologyName = Tags?.[TOPOLOGY_TAG];
      const stack = Tags?.[STACK_TAG];
      if (topologyName && stack) found.push({ id: url, topologyName, stack });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

async function taggedTables(dynamo: DynamoDBClient, stack: string): Promise<Tagged[]> {
  const found: Tagged[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName }));
    for (const TableName of page.TableNames ?? []) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName }));
      const { Tags } = await dynamo.send(new ListTagsOfResourceCommand({ ResourceArn: Table?.TableArn }));
      const tag = (key: string) => Tags?.find((t) => t.Key === key)?.Value;
      const topologyName = tag(TOPOLOGY_TAG);
      if (topologyName && tag(STACK_TAG) === stack) found.push({ id: TableName, topologyName, stack });
    }
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  return found;
}

async function taggedFunction(lambda: LambdaClient, stack: string, fn: FunctionName): Promise<string> {
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker }));
    for (const { FunctionArn } of page.Functions ?? []) {
      const { Tags } = await lambda.send(new ListTagsCommand({ Resource: FunctionArn }));
      if (FunctionArn && Tags?.[STACK_TAG] === stack && Tags[TOPOLOGY_TAG] === fn) return FunctionArn;
    }
    Marker = page.NextMarker;
  } while (Marker);
  throw new Error(`no function is tagged ${STACK_TAG}=${stack} and ${TOPOLOGY_TAG}=${fn}`);
}

async function invokeDeployed(lambda: LambdaClient, functionArn: string, event: unknown): Promise<unknown> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const payload = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
  if (answer.FunctionError) throw new Error(`${functionArn} failed (${answer.FunctionError}): ${payload}`);
  return payload ? JSON.parse(payload) : undefined;
}

/**
 * One deployed copy of the stacks, with the usual AWS credentials and region. Its resources are found
 * by their topology and stack tags, so a second copy in the same account is never touched. `stack` is
 * the copy's stack prefix or either stack's name; without it, the only copy found is used.
 */
export async function awsTarget(stack: string | undefined): Promise<OpsTarget> {
  const sqs = new SQSClient({});
  const dynamo = new DynamoDBClient({});
  const lambda = new LambdaClient({});
  const region = await sqs.config.region();
  const queuesFound = await taggedQueues(sqs);
  const copies = [...new Set(queuesFound.map((q) => stackPrefixOf(q.stack)))].sort();
  const prefix = stack === undefined ? copies[0] : stackPrefixOf(stack);
  if (prefix === undefined || !copies.includes(prefix) || (stack === undefined && copies.length > 1)) {
    const seen = copies.length ? `deployed copies found: ${copies.join(', ')}` : 'no deployed copy found';
    throw new Error(
      stack === undefined && copies.length > 1
        ? `several deployed copies in ${region} (${seen}): choose one with --stack <name>`
        : `no queue in ${region} carries ${STACK_TAG}=${stackNames(prefix ?? '<name>').stateful} (${seen})`,
    );
  }
  const names = stackNames(prefix);
  const byName = (found: Tagged[]) => new Map(found.map((t) => [t.topologyName, t.id]));
  const queues = byName(queuesFound.filter((q) => q.stack === names.stateful));
  return {
    description: `AWS ${region}, stacks ${names.stateful} and ${names.stateless}`,
    sqs,
    queueUrl: (name) => lookup(queues, 'queue', name),
    useComposition: async () => exportWiring(byName(await taggedTables(dynamo, names.stateful)), queues),
    invoke: async (fn, event) =>
      invokeDeployed(lambda, await taggedFunction(lambda, names.stateless, fn), event),
  };
}

/** Dead-letter queues and queues without one (the stream's on-failure queue): where messages stop. */
export function terminalQueues(): LocalQueue[] {
  return wiring.queues.filter((q) => !q.deadLetter);
}
