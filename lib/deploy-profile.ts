/**
 * Deploy profiles (`cdk deploy -c profile=prod|dev|localstack`): one place that turns CDK context
 * (and, for two settings, the environment) into a typed, validated configuration. Pure: no CDK imports.
 */
import { MAX_QUEUE_SHARDS } from './topology';

export type ProfileName = 'prod' | 'dev' | 'localstack';
export type RemovalChoice = 'retain' | 'destroy';

export interface DeployProfile {
  readonly profile: ProfileName;
  /** Prefix of both stack names, so several copies (dev, staging) can share an account. */
  readonly stackPrefix: string;
  /** AWS-managed WAF rule groups in front of the API stage. */
  readonly waf: boolean;
  /**
   * Apply the topology's reserved concurrency (the recovery bulkhead, the single sweeper). Opt-in:
   * a fresh account has 10 concurrent executions and Lambda keeps 10 unreserved, so any reservation fails.
   */
  readonly reservedConcurrency: boolean;
  readonly pspBaseUrl: string;
  /**
   * What deleting a stack does to data: `retain` keeps tables, queues, buckets, secrets and logs and
   * turns on table deletion protection and stack termination protection; `destroy` deletes them all
   * (buckets are emptied first).
   */
  readonly removalPolicy: RemovalChoice;
  /**
   * Whether this copy owns the account-wide API Gateway logging role (`AWS::ApiGateway::Account`).
   * One stack per account and region should: the owner is prod, and the role is retained when its
   * stack is deleted, so destroying any copy never takes execution logging away from another.
   */
  readonly cloudWatchRole: boolean;
  /**
   * How long function, access and firewall logs are kept, in days (a CloudWatch Logs retention
   * value): a year in prod, as an audit of who called what; a month for copies that take no traffic.
   */
  readonly logRetentionDays: number;
  /**
   * A regulated deploy (e.g. PCI DSS scope): customer-managed KMS keys, rotated yearly, for tables,
   * queues, the reports bucket, the alarm topic and every log group; a backup plan for the tables;
   * logs kept a year or more. Off by default (keys cost and add KMS calls to every request).
   */
  readonly regulated: boolean;
  /**
   * Where alarm notifications go; absent = alarms without a subscriber (`-c alarmEmail=none`; prod
   * refuses to synthesize without either).
   */
  readonly alarmEmail: string | undefined;
  /** Busy sellers opted into sharded wallets (`seller-a=8,seller-b=4`); none by default. */
  readonly walletShards: string | undefined;
  /**
   * IAM users or roles (comma-separated ARNs) that may read and cancel every shop's orders; every
   * other principal sees only the orders it created. None by default.
   */
  readonly operatorPrincipals: string | undefined;
  /**
   * X-Ray: active tracing of the API stage and functions, with Powertools Tracer bundled into every
   * function. Opt-in: the X-Ray SDK it wraps adds ~130 KiB and ~30% module init to each function,
   * and has been in maintenance mode since February 2026 (end of support February 2027).
   */
  readonly tracing: boolean;
  /**
   * Shards of each queue sharded by order (wallet, ledger): a FIFO queue, DLQ and event source
   * mapping each; a payment's events all go to its orderId's shard (bench/throughput-model.ts).
   * Changing it on a live stack re-routes payments: an event may then wait behind a gap on its
   * consumer (the per-payment cursor retries it), nothing is applied out of order.
   */
  readonly queueShards: number;
}

const PROFILES: Readonly<
  Record<
    ProfileName,
    Omit<DeployProfile, 'profile' | 'alarmEmail' | 'walletShards' | 'regulated' | 'operatorPrincipals'>
  >
> = {
  prod: {
    stackPrefix: 'Payments',
    waf: true,
    reservedConcurrency: false,
    pspBaseUrl: 'https://api.tosspayments.com',
    removalPolicy: 'retain',
    cloudWatchRole: true,
    logRetentionDays: 365,
    tracing: false,
    queueShards: 4,
  },
  dev: {
    stackPrefix: 'PaymentsDev',
    waf: false,
    reservedConcurrency: false,
    pspBaseUrl: 'https://api.tosspayments.com',
    removalPolicy: 'destroy',
    // Shares an account with prod, whose stack owns the logging role (else deploy once with cloudWatchRole=true).
    cloudWatchRole: false,
    logRetentionDays: 30,
    tracing: false,
    queueShards: 2,
  },
  // LocalStack's free tier has no WAFv2; its Lambda containers reach the host's PSP simulator by this name.
  localstack: {
    stackPrefix: 'Payments',
    waf: false,
    reservedConcurrency: false,
    pspBaseUrl: 'http://host.docker.internal:4010',
    removalPolicy: 'destroy',
    cloudWatchRole: false,
    logRetentionDays: 30,
    tracing: false,
    queueShards: 2,
  },
};

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** `-c alarmEmail=none`: no subscriber, on purpose (the alarm topic can be subscribed to later). */
export const ALARM_EMAIL_NONE = 'none';

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** A context value: `-c key=value` gives strings, cdk.json may give booleans. */
export type ContextReader = (key: string) => unknown;

export class DeployProfileError extends Error {
  constructor(message: string) {
    super(`deploy profile: ${message}`);
    this.name = 'DeployProfileError';
  }
}

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new DeployProfileError(`${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function flag(read: ContextReader, key: string): boolean | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new DeployProfileError(`${key} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * Resolves the profile named by context `profile` (default prod), overridden key by key by context
 * `stackPrefix`, `waf`, `reservedConcurrency`, `pspBaseUrl`, `removalPolicy`, `cloudWatchRole`, `logRetentionDays`, `regulated`, `alarmEmail`,
 * `walletShards`, `operatorPrincipals`, `tracing`, `queueShards`;
 * `STACK_PREFIX`, `PSP_BASE_URL`, `WALLET_SHARDS`, `OPERATOR_PRINCIPALS` and `QUEUE_SHARDS` from the environment come after context. Refuses what cannot deploy safely.
 */
export function resolveDeployProfile(read: ContextReader, env: NodeJS.ProcessEnv = {}): DeployProfile {
  const profile = (text(read, 'profile') ?? 'prod') as ProfileName;
  const defaults = PROFILES[profile];
  if (!defaults)
    throw new DeployProfileError(`unknown profile "${profile}" (use ${PROFILE_NAMES.join(', ')})`);
  const onLocalStack = profile === 'localstack';

  const waf = flag(read, 'waf') ?? defaults.waf;
  if (waf && onLocalStack)
    throw new DeployProfileError("waf=true needs WAFv2, which LocalStack's free tier lacks");
  const reservedConcurrency = flag(read, 'reservedConcurrency') ?? defaults.reservedConcurrency;
  if (reservedConcurrency && onLocalStack)
    throw new DeployProfileError(
      'reservedConcurrency=true is not for LocalStack (no account concurrency to protect)',
    );

  const pspBaseUrl = text(read, 'pspBaseUrl') ?? env.PSP_BASE_URL ?? defaults.pspBaseUrl;
  let protocol: string;
  try {
    protocol = new URL(pspBaseUrl).protocol;
  } catch {
    throw new DeployProfileError(`pspBaseUrl is not a URL: ${pspBaseUrl}`);
  }
  // The PSP secret key travels in every request: plain HTTP only to a simulator next to LocalStack.
  const allowed = onLocalStack ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(protocol))
    throw new DeployProfileError(
      `pspBaseUrl must be ${onLocalStack ? 'an http(s)' : 'an https'} URL for profile ${profile}, got ${pspBaseUrl}`,
    );

  const removalPolicy = (text(read, 'removalPolicy') ?? defaults.removalPolicy) as RemovalChoice;
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy')
    throw new DeployProfileError(`removalPolicy must be retain or destroy, got ${removalPolicy}`);

  // prod pages someone: an alarm nobody receives is no alarm, so leaving it out must be said on purpose.
  const alarmSetting = text(read, 'alarmEmail');
  if (alarmSetting === undefined && profile === 'prod')
    throw new DeployProfileError(
      'prod needs -c alarmEmail=<address> to subscribe to its alarms (or -c alarmEmail=none to deploy without a subscriber on purpose)',
    );
  const alarmEmail = alarmSetting === ALARM_EMAIL_NONE ? undefined : alarmSetting;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    throw new DeployProfileError(`alarmEmail is not an email address: ${alarmEmail}`);

  // `-c logRetentionDays=731` gives a string, cdk.json may give a number.
  const retention = read('logRetentionDays');
  const logRetentionDays =
    retention === undefined || retention === null || retention === ''
      ? defaults.logRetentionDays
      : Number(retention);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays))
    throw new DeployProfileError(
      `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${JSON.stringify(retention)}`,
    );

  const regulated = flag(read, 'regulated') ?? false;
  if (regulated && logRetentionDays < 365)
    throw new DeployProfileError(
      `regulated=true keeps logs a year or more, got logRetentionDays=${logRetentionDays}`,
    );

  const operatorPrincipals = text(read, 'operatorPrincipals') ?? env.OPERATOR_PRINCIPALS;
  for (const arn of operatorPrincipals?.split(',') ?? []) {
    if (!/^arn:[^:]+:(iam::\d{12}:(user|role)\/|sts::\d{12}:assumed-role\/)[\w+=,.@/-]+$/.test(arn.trim()))
      throw new DeployProfileError(`operatorPrincipals: not an IAM user or role ARN: ${arn}`);
  }
  const shardsText = read('queueShards') ?? env.QUEUE_SHARDS;
  const queueShards =
    shardsText === undefined || shardsText === '' ? defaults.queueShards : Number(shardsText);
  if (!Number.isInteger(queueShards) || queueShards < 1 || queueShards > MAX_QUEUE_SHARDS)
    throw new DeployProfileError(
      `queueShards must be an integer from 1 to ${MAX_QUEUE_SHARDS}, got ${JSON.stringify(shardsText)}`,
    );

  return {
    profile,
    stackPrefix: text(read, 'stackPrefix') ?? env.STACK_PREFIX ?? defaults.stackPrefix,
    waf,
    reservedConcurrency,
    pspBaseUrl,
    removalPolicy,
    alarmEmail,
    cloudWatchRole: flag(read, 'cloudWatchRole') ?? defaults.cloudWatchRole,
    logRetentionDays,
    regulated,
    walletShards: text(read, 'walletShards') ?? env.WALLET_SHARDS,
    operatorPrincipals,
    tracing: flag(read, 'tracing') ?? defaults.tracing,
    queueShards,
  };
}
