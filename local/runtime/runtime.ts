import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import type { Inventory } from '../../lib/inventory';
import { topology } from '../../lib/topology';
import { startLocalDemoShop } from '../demo-shop/local';
import { startPspSimulator } from '../psp-sim/server';
import { CheckpointStore } from './checkpoints';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { DEFAULT_WATCH, EmulatorWatch } from './emulator-watch';
import { type LocalFunction, loadFunction } from './functions';
import { createHttpGateway } from './http-gateway';
import { localOrderIdSecret } from './order-id-secret';
import { abortableSleep } from './polling-loop';
import { assertPortFree } from './ports';
import { ensureBucketFolders, ensureQueue, ensureTable, type ProvisionedQueue } from './provision';
import { QueuePoller } from './queue-poller';
import { Scheduler } from './scheduler';
import { everyPrincipal, LOCAL_ACCOUNT, type LocalPrincipal, localPrincipals, signingRegion } from './sigv4';
import { StreamPoller } from './stream-poller';
import { localInventory, planLocalWiring } from './wiring';

export interface LocalRuntimeConfig {
  readonly root: string;
  readonly apiPort: number;
  readonly pspPort: number;
  readonly dynamoPort: number;
  readonly sqsPort: number;
  /** Folder for DynamoDB data, stream checkpoints, bucket folders and the PSP simulator's state; absent = in memory. */
  readonly dataDir?: string;
  /** The PSP the handlers call: our simulator (started here), or one at `baseUrl` (e.g. Toss's test mode). */
  readonly psp: { readonly kind: 'simulator' } | { readonly kind: 'external'; readonly baseUrl: string };
  readonly pspSecretKey: string;
  /** The demo shop's port (`DEMO_SHOP_PORT`); absent = no demo shop. */
  readonly shopPort?: number;
  /** Schedule cadence overrides (`SCHEDULE_<FUNCTION>_MS`) and local tuning knobs. */
  readonly env: NodeJS.ProcessEnv;
  /** An emulator died and cannot be brought back: the caller should stop the runtime and exit. */
  readonly onFatal: (message: string) => void;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly pspUrl: string;
  /** Whether `pspUrl` is our simulator (with its `/__sim` control API) or an external PSP. */
  readonly pspKind: 'simulator' | 'external';
  readonly shopUrl?: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly inventory: Inventory;
  /** Who may sign requests to the API, and the region their signatures must name. */
  readonly principals: readonly LocalPrincipal[];
  readonly signingRegion: string;
  /**
   * Stops intake, lets in-flight work finish for a moment (`LOCAL_STOP_DRAIN_MS`, what is still
   * running then is abandoned as a crash would, and delivered again after the next start), then
   * closes every server and ends DynamoDB Local. Never waits on a dead emulator.
   */
  stop(): Promise<void>;
  /** Ends DynamoDB Local outright (SIGKILL), for a stop that missed its deadline; the rest goes with the process. */
  kill(): void;
}

const LOCAL_REGION = 'us-east-1';
/** How long a stop waits for in-flight invocations before closing the emulators under them. */
const DEFAULT_STOP_DRAIN_MS = 3000;

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
  if (config.psp.kind === 'simulator') await assertPortFree(config.pspPort, 'PSP simulator', 'PSP_SIM_PORT');
  await assertPortFree(config.dynamoPort, 'DynamoDB Local', 'DYNAMODB_PORT');
  await assertPortFree(config.sqsPort, 'local SQS', 'SQS_PORT');
  if (config.shopPort !== undefined) await assertPortFree(config.shopPort, 'demo shop', 'DEMO_SHOP_PORT');
  // Read before the handlers' environment is laid over process.env.
  const principals = localPrincipals(config.env);
  const auth = { principals: everyPrincipal(principals), region: signingRegion(config.env) };

  // Stopped first to last: intake (front door, schedules, pollers) drains within a bound, then the
  // servers and emulators close; each step is bounded, so a dead emulator cannot hold the stop.
  const intake: (() => Promise<void>)[] = [];
  const servers: (() => Promise<void>)[] = [];
  const drainMs = Number(config.env.LOCAL_STOP_DRAIN_MS ?? DEFAULT_STOP_DRAIN_MS);
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      watch?.stop();
      const drained = Promise.all(
        intake.map((stop) => stop().catch((e) => console.error('[local] stop failed:', e))),
      );
      const deadline = new AbortController();
      await Promise.race([drained, abortableSleep(drainMs, deadline.signal)]);
      deadline.abort();
      await Promise.all(servers.map((stop) => stop().catch((e) => console.error('[local] stop failed:', e))));
    })();
    return stopping;
  };
  let watch: EmulatorWatch | undefined;
  try {
    const dynamo = await startDynamoDbLocal({
      port: config.dynamoPort,
      dataDir: config.dataDir && join(config.dataDir, 'dynamodb'),
    });
    servers.push(dynamo.stop);
    const sqsServer = await createSqsServer({
      port: config.sqsPort,
      hostname: '127.0.0.1',
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      emulateQueueCreationLifecycle: false,
    });
    servers.push(() => close(sqsServer));
    const sqsEndpoint = `http://127.0.0.1:${config.sqsPort}`;
    const psp = config.psp.kind === 'external' ? undefined : await startSimulator(config);
    if (psp) servers.push(psp.close);
    const pspUrl = psp?.url ?? (config.psp.kind === 'external' ? config.psp.baseUrl : '');

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials });
    const sqsClient = new SQSClient({ endpoint: sqsEndpoint, region: LOCAL_REGION, credentials });
    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials,
    });

    const wiring = planLocalWiring(topology);
    const handlerEnv: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      PSP_BASE_URL: pspUrl,
      PSP_SECRET_KEY: config.pspSecretKey,
      ORDER_ID_SECRET: await localOrderIdSecret(config.dataDir),
      // Who may read and cancel every shop's orders (in AWS: the deploy profile's operatorPrincipals).
      OPERATOR_PRINCIPALS: principals.operator.userArn,
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
    servers.push(buckets.cleanUp);
    Object.assign(handlerEnv, buckets.env);
    // Handlers read their configuration at module load, as in Lambda: set it first.
    Object.assign(process.env, handlerEnv);

    const functions = new Map<string, LocalFunction>();
    for (const { name, spec } of wiring.functions)
      functions.set(name, await loadFunction(config.root, name, spec));
    const fn = (name: string) => functions.get(name) as LocalFunction;

    watch = new EmulatorWatch(emulatorsOf(config, dynamo, dynamoClient, sqsClient, sqsServer), {
      ...DEFAULT_WATCH,
      onFatal: config.onFatal,
    });
    const gate = watch;
    dynamo.onUnexpectedExit((reason) => gate.reportExit(DYNAMODB_LOCAL, reason));
    gate.start();

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
            gate,
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
            gate,
          }),
      ),
    ];
    for (const poller of pollers) poller.start();
    intake.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    const scheduler = new Scheduler(config.env, gate);
    for (const { fn: name, trigger } of wiring.schedules) scheduler.add(fn(name), trigger);
    intake.push(() => scheduler.stop());

    const gateway = createHttpGateway(
      wiring.routes.map(({ fn: name, trigger }) => ({ trigger, fn: fn(name) })),
      auth,
      gate,
    );
    await listen(gateway, config.apiPort);
    intake.push(() => close(gateway));
    // The PSP simulator tells our webhook route about every status change, as Toss would.
    if (psp) await registerWebhook(psp.url, `http://localhost:${config.apiPort}/webhooks/toss`);
    const shop =
      config.shopPort === undefined
        ? undefined
        : await startLocalDemoShop(
            config.shopPort,
            `http://localhost:${config.apiPort}`,
            pspUrl,
            auth,
            config.env,
          );
    if (shop) intake.push(shop.close);

    return {
      apiUrl: `http://localhost:${config.apiPort}`,
      pspUrl,
      pspKind: config.psp.kind,
      shopUrl: shop?.url,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint,
      inventory: localInventory(wiring),
      principals: auth.principals,
      signingRegion: auth.region,
      stop: stopAll,
      kill: dynamo.kill,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const DYNAMODB_LOCAL = 'DynamoDB Local';

function startSimulator(config: LocalRuntimeConfig) {
  const env = config.env;
  return startPspSimulator({
    port: config.pspPort,
    secretKey: config.pspSecretKey,
    hangMs: env.PSP_SIM_HANG_MS ? Number(env.PSP_SIM_HANG_MS) : undefined,
    stateFile: config.dataDir && join(config.dataDir, 'psp-sim', 'state.jsonl'),
    webhookMinuteMs: env.PSP_SIM_WEBHOOK_MINUTE_MS ? Number(env.PSP_SIM_WEBHOOK_MINUTE_MS) : undefined,
    webhookDelayMs: env.PSP_SIM_WEBHOOK_DELAY_MS ? Number(env.PSP_SIM_WEBHOOK_DELAY_MS) : undefined,
  });
}

/**
 * What the watch probes and how it brings each back. DynamoDB Local is restarted on its data
 * folder; with `--in-memory` its data died with it, so the runtime stops instead (carrying on
 * with empty tables would contradict what the queues and the PSP simulator still hold). The
 * queue service runs in this process: if its server stops listening it listens again, its
 * queues intact.
 */
function emulatorsOf(
  config: LocalRuntimeConfig,
  dynamo: DynamoDbLocal,
  dynamoClient: DynamoDBClient,
  sqsClient: SQSClient,
  sqsServer: Server,
) {
  const probeOptions = () => ({ abortSignal: AbortSignal.timeout(DEFAULT_WATCH.probeTimeoutMs) });
  return [
    {
      name: DYNAMODB_LOCAL,
      probe: async () => {
        await dynamoClient.send(new ListTablesCommand({ Limit: 1 }), probeOptions());
      },
      ...(dynamo.persistent
        ? { restart: () => dynamo.restart() }
        : {
            cannotRestartBecause:
              'It ran with --in-memory, so a restart would bring it back empty: the local stack stops instead. Start it again, or run without --in-memory to keep data in .local-data (DynamoDB Local is then restarted on it).',
          }),
    },
    {
      name: 'local SQS',
      probe: async () => {
        await sqsClient.send(new ListQueuesCommand({ MaxResults: 1 }), probeOptions());
      },
      restart: async () => {
        if (!sqsServer.listening) await listen(sqsServer, config.sqsPort);
      },
    },
  ];
}
