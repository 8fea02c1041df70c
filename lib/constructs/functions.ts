import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  type BucketAccess,
  entries,
  type FunctionName,
  type FunctionSpec,
  type QueueAccess,
  type TableAccess,
  type Topology,
} from '../topology';
import type { Buckets, TopologyBucket } from './buckets';
import type { Queues, TopologyQueue } from './queues';
import type { Tables } from './tables';
import { tagWithTopologyName } from './topology-tag';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Newest Node.js runtime this aws-cdk-lib knows; cdk-nag L1 holds us to it. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

export const METRICS_NAMESPACE = 'Payments';

/**
 * How every function is bundled by the project's own esbuild; `npm run bench` (bench/bundles.ts) builds
 * with these very options, so it measures the deployed artifact.
 */
export const FUNCTION_BUNDLING = {
  minify: true,
  // No source maps: Node's --enable-source-maps cost ~40 ms of CPU per cold start (confirm 126 vs 85 ms,
  // bench), almost half its init. Errors are logged with their context (orderId, operation, code);
  // to read a minified frame, rebuild the same commit with source maps (esbuild output is deterministic).
  sourceMap: false,
  // CJS: the SDK and Powertools still reach for `require`, which an ESM bundle would need shimming for.
  format: OutputFormat.CJS,
  // Resolve packages' ES module builds so esbuild can tree-shake them (confirm: 1.1 MB -> 0.9 MB,
  // module init ~140 ms -> ~75 ms locally), while still emitting CJS.
  mainFields: ['module', 'main'],
  // Bundle the SDK instead of using the runtime's copy: the version we test is the version we run,
  // and a tree-shaken client initialises faster than the full one preinstalled in the runtime.
  bundleAwsSDK: true,
} satisfies BundlingOptions;

/** The expression lambdas/shared/telemetry.ts tests; only a bundle built with tracing sees `"true"`. */
export const TRACING_SWITCH = 'process.env.PAYMENTS_TRACING';

/**
 * The bundling of one deploy: FUNCTION_BUNDLING plus the tracing switch as a build-time constant, so
 * that without tracing esbuild drops the branch that loads Powertools Tracer and the X-Ray SDK
 * (lambdas/shared/telemetry.ts) and no function carries them.
 */
export function functionBundling(tracing: boolean) {
  return {
    ...FUNCTION_BUNDLING,
    define: { [TRACING_SWITCH]: JSON.stringify(String(tracing)) },
  } satisfies BundlingOptions;
}

export interface PspSettings {
  readonly baseUrl: string;
  readonly secret: secretsmanager.ISecret;
}

export interface FunctionsProps {
  readonly topology: Topology;
  readonly tables: Tables;
  readonly queues: Queues;
  readonly buckets: Buckets;
  readonly psp: PspSettings;
  readonly orderIdSecret: secretsmanager.ISecret;
  readonly logRetention: logs.RetentionDays;
  /** Apply the topology's reserved concurrency (opt-in per deploy profile). */
  readonly reservedConcurrency: boolean;
  /** Busy sellers' wallet shards (`seller-a=8,...`), for every function that uses the wallets table. */
  readonly walletShards?: string;
  /** X-Ray active tracing, and Powertools Tracer bundled into every function (opt-in per deploy profile). */
  readonly tracing: boolean;
  /** The data's customer-managed key (regulated deploys): tables, queues and buckets are under it. */
  readonly dataKey?: kms.IKey;
  /** The customer-managed key of the log groups (regulated deploys). */
  readonly logKey?: kms.IKey;
  /** Who may read and cancel every shop's orders (`arn,...`), for the functions behind shop routes. */
  readonly operatorPrincipals?: string;
}

/**
 * One Lambda per topology function, bundled by the project's own esbuild (no Docker), each with its own
 * role holding exactly the table, queue and secret access its spec declares.
 */
export class Functions extends Construct {
  private readonly byName = new Map<FunctionName, NodejsFunction>();

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    for (const [name, spec] of entries(props.topology.functions)) {
      const fn = this.newFunction(name, spec, props);
      Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: noFunctionDlqReason(spec) });
      if (!props.tracing) {
        Validations.of(fn).acknowledge({
          id: 'Serverless-LambdaTracing',
          reason:
            'X-Ray tracing is opt-in per deploy (`-c tracing=true`): it costs per trace and adds the tracer to every bundle; logs and metrics stay on.',
        });
      }
      this.byName.set(name, fn);
    }
  }

  get(name: FunctionName): NodejsFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`Topology function "${name}" is not provisioned`);
    return fn;
  }

  private newFunction(name: FunctionName, spec: FunctionSpec, props: FunctionsProps): NodejsFunction {
    const { topology, tables, queues, buckets, psp } = props;
    // An explicit role and log group: no AWS-managed policy, log writes scoped to this function's group.
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    const logGroup = new logs.LogGroup(this, `${name}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.logKey,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    for (const [tableName, access] of declared(spec.tables)) {
      const table = tables.get(tableName);
      environment[topology.tables[tableName].envVar] = table.tableName;
      grantTableAccess(role, table, access);
    }
    for (const [queueName, access] of declared(spec.queues)) {
      const queue = queues.get(queueName);
      environment[topology.queues[queueName].envVar] = queue.queue.queueUrl;
      grantQueueAccess(role, queue, access);
    }
    for (const [bucketName, access] of declared(spec.buckets ?? {})) {
      const bucket = buckets.get(bucketName);
      environment[topology.buckets[bucketName].envVar] = bucket.bucket.bucketName;
      grantBucketAccess(role, bucket, access);
    }
    const touchesData =
      Object.keys(spec.tables).length +
        Object.keys(spec.queues).length +
        Object.keys(spec.buckets ?? {}).length >
        0 || spec.triggers.some((trigger) => trigger.kind === 'stream' || trigger.kind === 'queue');
    if (props.dataKey && touchesData) {
      // Items, messages and objects under the data key: read them (Decrypt), write them (GenerateDataKey).
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resourceArns: [props.dataKey.keyArn],
      });
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*'])
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `CDK's own grant to send to a queue under the data key names ${action}: variants of one KMS operation, on that one key only.`,
        });
    }
    if (spec.tables.wallets && props.walletShards) environment.WALLET_SHARDS = props.walletShards;
    const servesShops = spec.triggers.some((t) => t.kind === 'http' && t.caller === 'shop');
    if (servesShops && props.operatorPrincipals) environment.OPERATOR_PRINCIPALS = props.operatorPrincipals;
    if (spec.psp) {
      environment.PSP_BASE_URL = psp.baseUrl;
      environment.PSP_SECRET_ARN = psp.secret.secretArn;
      psp.secret.grantRead(role);
    } else if (spec.pspSecretStatus) {
      // The secret's metadata (is a current version set?), not its value.
      environment.PSP_SECRET_ARN = psp.secret.secretArn;
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: ['secretsmanager:DescribeSecret'],
        resourceArns: [psp.secret.secretArn],
      });
    }
    if (spec.orderIdSecret) {
      environment.ORDER_ID_SECRET_ARN = props.orderIdSecret.secretArn;
      props.orderIdSecret.grantRead(role);
    }

    const fn = new NodejsFunction(this, name, {
      entry: path.join(REPO_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrency ? spec.reservedConcurrency : undefined,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      role,
      logGroup,
      environment,
      bundling: functionBundling(props.tracing),
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions use "*": xray:PutTraceSegments/PutTelemetryRecords (active tracing) and dynamodb:ListStreams (stream event sources); test/infra asserts this allow-list.',
    });
    tagWithTopologyName(fn, name);
    return fn;
  }
}

/** The entries of a partial record that are actually present. */
function declared<K extends string, V>(record: Readonly<Partial<Record<K, V>>>): [K, V][] {
  return (Object.entries(record) as [K, V | undefined][]).filter(
    (entry): entry is [K, V] => entry[1] !== undefined,
  );
}

/**
 * Exactly the item actions the spec lists, on the table itself, and `Query` on the indexes it names:
 * no Scan, DeleteItem or batch writes a function does not call, and no `index/*` wildcard.
 */
function grantTableAccess(grantee: iam.IGrantable, table: dynamodb.ITable, access: TableAccess): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: access.actions.map((action) => `dynamodb:${action}`),
    resourceArns: [table.tableArn],
  });
  const indexes = access.indexQueries ?? [];
  if (indexes.length === 0) return;
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: indexes.map((index) => `${table.tableArn}/index/${index}`),
  });
}

function grantBucketAccess(role: iam.IRole, target: TopologyBucket, access: BucketAccess): void {
  const objects = `${target.arnExport.importedValue}/*`;
  switch (access) {
    case 'write':
      // PutObject alone: no reads, deletes, ACL or tagging changes.
      iam.Grant.addToPrincipal({ grantee: role, actions: ['s3:PutObject'], resourceArns: [objects] });
      break;
  }
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${target.arnExport.name}/*]`,
    reason: `Object keys are chosen per run (e.g. reconciliation/<date>/report.json), so access to ${target.name} is granted on its objects, never on other buckets or on the bucket's own settings.`,
  });
}

function grantQueueAccess(grantee: iam.IGrantable, target: TopologyQueue, access: QueueAccess): void {
  const { name, queue, deadLetterQueue } = target;
  switch (access) {
    case 'send':
      queue.grantSendMessages(grantee);
      return;
    case 'consume':
      queue.grantConsumeMessages(grantee);
      return;
    case 'redrive':
      if (!deadLetterQueue) throw new Error(`Queue "${name}" has no dead-letter queue to redrive`);
      // The caller finds the DLQ through the queue's RedrivePolicy attribute; StartMessageMoveTask then
      // receives and deletes on the DLQ and sends to the original queue with the caller's permissions.
      queue.grant(grantee, 'sqs:GetQueueAttributes', 'sqs:SendMessage');
      deadLetterQueue.grant(
        grantee,
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
        'sqs:CancelMessageMoveTask',
      );
      return;
  }
}

/** Why a function has no Lambda-level DLQ: only asynchronous invocations use one. */
function noFunctionDlqReason(spec: FunctionSpec): string {
  const kinds = new Set(spec.triggers.map((trigger) => trigger.kind));
  if (kinds.has('schedule'))
    return 'Invoked asynchronously by its schedule only: its on-failure destination (the schedule dead-letter queue) keeps failed runs, which a DLQ would duplicate.';
  return `Never invoked asynchronously (${[...kinds].join(', ')}): a synchronous caller gets the error, and stream and queue consumers dead-letter through their event sources.`;
}
