import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { type BucketName, type BucketSpec, entries } from '../topology';
import { tagWithTopologyName } from './topology-tag';

export interface BucketsProps {
  readonly buckets: Readonly<Record<BucketName, BucketSpec>>;
  /** Retained (prod), or emptied and deleted with the stack (dev, LocalStack). */
  readonly retained: boolean;
  /** Customer-managed key of the topology buckets (regulated deploys); SSE-S3 otherwise. */
  readonly encryptionKey?: kms.IKey;
}

/** A topology bucket and its ARN as other stacks import it. */
export interface TopologyBucket {
  readonly name: BucketName;
  readonly bucket: s3.Bucket;
  /**
   * Exported under a name of ours rather than one CDK derives from the reference, so an IAM finding
   * on `<arn>/*` in another stack has an id that can be acknowledged exactly.
   */
  readonly arnExport: { readonly name: string; readonly importedValue: string };
}

/** Reports are an audit trail: earlier versions stay a year after a re-run replaces them. */
const NONCURRENT_VERSION_RETENTION = Duration.days(365);
const ACCESS_LOG_RETENTION = Duration.days(365);

/**
 * One S3 bucket per topology bucket: private, SSE-S3, TLS-only, versioned, retained, with server
 * access logs in a shared log bucket of this construct.
 */
export class Buckets extends Construct {
  private readonly byName = new Map<BucketName, TopologyBucket>();
  private readonly retained: boolean;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    this.retained = props.retained;
    // Log delivery through a bucket policy, as AWS recommends, so every bucket keeps ACLs disabled.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const topologyBuckets = entries(props.buckets);
    if (topologyBuckets.length === 0) return;
    const accessLogs = this.newBucket('AccessLogs', {
      lifecycleRules: [{ expiration: ACCESS_LOG_RETENTION }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is itself the server-access-log destination of the topology buckets; logging it too would need yet another log bucket, without end.',
    });
    for (const [name] of topologyBuckets) {
      const bucket = this.newBucket(name, {
        // Server access logs stay SSE-S3: S3 cannot deliver them into a bucket under a KMS key.
        ...(props.encryptionKey
          ? {
              encryption: s3.BucketEncryption.KMS,
              encryptionKey: props.encryptionKey,
              bucketKeyEnabled: true,
            }
          : {}),
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        lifecycleRules: [{ noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION }],
      });
      tagWithTopologyName(bucket, name);
      const stack = Stack.of(this);
      const exportName = `${stack.stackName}:${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}Arn`;
      const importedValue = stack.exportValue(bucket.bucketArn, { name: exportName });
      this.byName.set(name, { name, bucket, arnExport: { name: exportName, importedValue } });
    }
  }

  get(name: BucketName): TopologyBucket {
    const bucket = this.byName.get(name);
    if (!bucket) throw new Error(`Topology bucket "${name}" is not provisioned`);
    return bucket;
  }

  private newBucket(id: string, props: s3.BucketProps): s3.Bucket {
    return new s3.Bucket(this, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // CloudFormation cannot delete a bucket that holds objects: a copy that goes empties its buckets first.
      ...(this.retained
        ? { removalPolicy: RemovalPolicy.RETAIN }
        : { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true }),
      ...props,
    });
  }
}
