import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import type { Inventory } from '../../lib/inventory';
import { startLocalDemoShop } from '../demo-shop/local';
import { startPspSimulator } from '../psp-sim/server';
import { CheckpointStore } from './checkpoints';
import { startDynamoDbLocal } from './dynamodb-local';
import { type LocalFunction, loadFunction } from './functions';
import { createHttpGateway } from './http-gateway';
import { localOrderIdSecret } from './order-id-secret';
import { assertPortFree } from './ports';
import { ensureBucketFolders, ensureQueue, ensureTable, type ProvisionedQueue } from './provision';
import { QueuePoller } from './queue-poller';
import { Scheduler } from './scheduler';
import { LOCAL_ACCOUNT, type LocalPrincipal, localPrincipals, signingRegion } from './sigv4';
import { StreamPoller } from './stream-poller';
import { localInventory, localTopology, planLocalWiring } from './wiring';

export interface LocalRuntimeConfig {
  readonly root: string;
  readonly apiPort: number;
  readonly pspPort: number;
  readonly dynamoPort: number;
  readonly sqsPort: number;
  /** Folder for DynamoDB data, stream checkpoints, bucket folders and the PSP simulator's state; absent = in memory. */
  readonly dataDir?: string;
  readonly pspSecretKey: string;
  /** The demo shop's port (`DEMO_SHOP_PORT`); absent = no demo shop. */
  readonly shopPort?: number;
  /** Schedule cadence overrides (`SCHEDULE_<FUNCTION>_MS`) and local tuning knobs. */
  readonly env: NodeJS.ProcessEnv;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly pspUrl: string;
  readonly shopUrl?: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly inventory: Inventory;
  /** Who may sign requests to the API, and the region their signatures must name. */
  readonly principals: readonly LocalPrincipal[];
  readonly signingRegion: string;
  stop(): Promise<void>;
}

const LOCAL_REGION = 'us-east-1';

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function registerWebhook(pspUrl: string, url: string): Promise<void> {
  const response = await fetch(`${pspUrl}/__sim/webhooks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  if (!response.ok) throw new Error(`PSP simulator refused the webhook registration: ${response.status}`);
}

/** Boots emulators, provisions and wires everything from the topology, serves the API. */
export async function startLocalRuntime(config: LocalRuntimeConfig): Promise<LocalRuntime> {
  await assertPortFree(config.apiPort, 'payments API', 'PORT');
  await assertPortFree(config.pspPort, 'PSP simulator', 'PSP_SIM_PORT');
  await assertPortFree(config.dynamoPort, 'DynamoDB Local', 'DYNAMODB_PORT');
  await assertPortFree(config.sqsPort, 'local SQS', 'SQS_PORT');
  if (config.shopPort !== undefined) await assertPortFree(config.shopPort, 'demo shop', 'DEMO_SHOP_PORT');
  // Read before the handlers' environment is laid over process.env.
  const auth = { principals: Object.values(localPrincipals(config.env)), region: signingRegion(config.env) };

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error('[local] stop failed:', e));
  };
  try {
    const dynamo = await startDynamoDbLocal({
      port: config.dynamoPort,
      dataDir: config.dataDir && join(config.dataDir, 'dynamodb'),
    });
    stops.push(dynamo.stop);
    const sqsServer = await createSqsServer({
      port: config.sqsPort,
      hostname: '127.0.0.1',
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      emulateQueueCreationLifecycle: false,
    });
    stops.push(() => close(sqsServer));
    const sqsEndpoint = `http://127.0.0.1:${config.sqsPort}`;
    const psp = await startPspSimulator({
      port: config.pspPort,
      secretKey: config.pspSecretKey,
      hangMs: config.env.PSP_SIM_HANG_MS ? Number(config.env.PSP_SIM_HANG_MS) : undefined,
      stateFile: config.dataDir && join(config.dataDir, 'psp-sim', 'state.jsonl'),
      webhookMinuteMs: config.env.PSP_SIM_WEBHOOK_MINUTE_MS
        ? Number(config.env.PSP_SIM_WEBHOOK_MINUTE_MS)
        : undefined,
      webhookDelayMs: config.env.PSP_SIM_WEBHOOK_DELAY_MS
        ? Number(config.env.PSP_SIM_WEBHOOK_DELAY_MS)
        : undefined,
    });
    stops.push(psp.close);

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials });
    const sqsClient = new SQSClient({ endpoint: sqsEndpoint, region: LOCAL_REGION, credentials });
    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials,
    });

    const wiring = planLocalWiring(localTopology(config.env));
    const handlerEnv: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      PSP_BASE_URL: psp.url,
      PSP_SECRET_KEY: config.pspSecretKey,
      ORDER_ID_SECRET: await localOrderIdSecret(config.dataDir),
      POWERTOOLS_SERVICE_NAME: 'payments',
      POWERTOOLS_METRICS_NAMESPACE: 'Payments',
      POWERTOOLS_METRICS_DISABLED: config.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      POWERTOOLS_LOG_LEVEL: config.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    };
    const streamArns = new Map<string, string>();
    for (const { name, spec } of wiring.tables) {
      handlerEnv[spec.envVar] = name;
      const streamArn = await ensureTable(dynamoClient, name, spec);
      if (streamArn) streamArns.set(name, streamArn);
    }
    const queues = new Map<string, ProvisionedQueue>();
    const arnOf = (queue: string) => queues.get(queue)?.arn ?? '';
    for (const queue of wiring.queues) {
      const provisioned = await ensureQueue(sqsClient, queue, arnOf);
      queues.set(queue.name, provisioned);
      if (queue.envVar) handlerEnv[queue.envVar] = provisioned.url;
    }
    const buckets = await ensureBucketFolders(
      wiring.buckets,
      config.dataDir && join(config.dataDir, 'buckets'),
    );
    stops.push(buckets.cleanUp);
    Object.assign(handlerEnv, buckets.env);
    // Handlers read their configuration at module load, as in Lambda: set it first.
    Object.assign(process.env, handlerEnv);

    const functions = new Map<string, LocalFunction>();
    for (const { name, spec } of wiring.functions)
      functions.set(name, await loadFunction(config.root, name, spec));
    const fn = (name: string) => functions.get(name) as LocalFunction;

    const checkpoints = new CheckpointStore(
      config.dataDir && join(config.dataDir, 'stream-checkpoints.json'),
    );
    const pollers = [
      ...wiring.streams.map(
        ({ fn: name, trigger }) =>
          new StreamPoller({
            streams: streamsClient,
            sqs: sqsClient,
            streamArn: streamArns.get(trigger.table) ?? '',
            trigger,
            fn: fn(name),
            onFailureQueueUrl: queues.get(trigger.onFailureQueue)?.url ?? '',
            checkpoints,
            idleMs: Number(config.env.LOCAL_STREAM_IDLE_MS ?? 100),
          }),
      ),
      ...wiring.queueConsumers.map(
        ({ fn: name, trigger }) =>
          new QueuePoller({
            sqs: sqsClient,
            queueUrl: queues.get(trigger.queue)?.url ?? '',
            queueArn: queues.get(trigger.queue)?.arn ?? '',
            trigger,
            fn: fn(name),
            retryVisibilitySeconds: Number(config.env.LOCAL_QUEUE_RETRY_VISIBILITY_SECONDS ?? 1),
            idleMs: Number(config.env.LOCAL_QUEUE_IDLE_MS ?? 50),
          }),
      ),
    ];
    for (const poller of pollers) poller.start();
    stops.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    const scheduler = new Scheduler(config.env);
    for (const { fn: name, trigger } of wiring.schedules) scheduler.add(fn(name), trigger);
    stops.push(() => scheduler.stop());

    const gateway = createHttpGateway(
      wiring.routes.map(({ fn: name, trigger }) => ({ trigger, fn: fn(name) })),
      auth,
    );
    await listen(gateway, config.apiPort);
    stops.push(() => close(gateway));
    // The PSP simulator tells our webhook route about every status change, as Toss would.
    await registerWebhook(psp.url, `http://localhost:${config.apiPort}/webhooks/toss`);
    const shop =
      config.shopPort === undefined
        ? undefined
        : await startLocalDemoShop(
            config.shopPort,
            `http://localhost:${config.apiPort}`,
            psp.url,
            auth,
            config.env,
          );
    if (shop) stops.push(shop.close);

    return {
      apiUrl: `http://localhost:${config.apiPort}`,
      pspUrl: psp.url,
      shopUrl: shop?.url,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint,
      inventory: localInventory(wiring),
      principals: auth.principals,
      signingRegion: auth.region,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
