import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Buckets } from '../constructs/buckets';
import { orderIdSecret } from '../constructs/order-id-secret';
import { PspSecret } from '../constructs/psp-secret';
import { Queues } from '../constructs/queues';
import { TableBackups } from '../constructs/table-backups';
import { Tables } from '../constructs/tables';
import { entries, type Topology } from '../topology';

export interface PaymentsStatefulStackProps extends StackProps {
  readonly topology: Topology;
  /** The deploy profile keeps data (`removalPolicy: retain`): deletion-protected tables, retained buckets. */
  readonly retained: boolean;
  /** Customer-managed KMS key for tables, queues and the reports bucket, and a backup plan for the tables. */
  readonly regulated: boolean;
}

/**
 * Everything that holds data: tables, queues with their DLQs, report buckets, the PSP secret. Termination-protected
 * and retained, so redeploying or deleting the stateless stack can never lose a payment.
 */
export class PaymentsStatefulStack extends Stack {
  readonly tables: Tables;
  readonly queues: Queues;
  readonly buckets: Buckets;
  readonly pspSecret: PspSecret;
  readonly orderIdSecret: secretsmanager.Secret;
  /** The customer-managed key of the data (regulated deploys only). */
  readonly dataKey?: kms.Key;

  constructor(scope: Construct, id: string, props: PaymentsStatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.dataKey = props.regulated
      ? new kms.Key(this, 'DataKey', {
          description: 'Payments data: tables, queues, reports bucket, table backups',
          enableKeyRotation: true,
          removalPolicy: props.retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        })
      : undefined;
    const encryptionKey = this.dataKey;
    this.tables = new Tables(this, 'Tables', {
      tables: props.topology.tables,
      retained: props.retained,
      encryptionKey,
    });
    this.queues = new Queues(this, 'Queues', { queues: props.topology.queues, encryptionKey });
    this.buckets = new Buckets(this, 'Buckets', {
      buckets: props.topology.buckets,
      retained: props.retained,
      encryptionKey,
    });
    if (this.dataKey)
      new TableBackups(this, 'Backups', {
        tables: entries(props.topology.tables).map(([name]) => this.tables.get(name)),
        encryptionKey: this.dataKey,
      });
    this.pspSecret = new PspSecret(this, 'PspSecret');
    this.orderIdSecret = orderIdSecret(this);
    this.pinExports(props.topology);
  }

  /**
   * Exports every attribute the stateless stack may import, whether it imports it today or not. CDK
   * would otherwise export only what is referenced, and removing a grant or a queue subscription from
   * the stateless stack would make this stack drop an export the deployed stateless stack still
   * imports, which CloudFormation refuses. Names are the ones CDK gives automatic references.
   */
  private pinExports(topology: Topology): void {
    const values: string[] = [this.pspSecret.secret.secretArn, this.orderIdSecret.secretArn];
    if (this.dataKey) values.push(this.dataKey.keyArn);
    for (const [name] of entries(topology.tables)) {
      const table = this.tables.get(name);
      values.push(table.tableName, table.tableArn, ...(table.tableStreamArn ? [table.tableStreamArn] : []));
    }
    for (const [name] of entries(topology.queues)) {
      const { queue, deadLetterQueue } = this.queues.get(name);
      for (const q of deadLetterQueue ? [queue, deadLetterQueue] : [queue])
        values.push(q.queueUrl, q.queueArn, q.queueName);
    }
    for (const [name] of entries(topology.buckets)) values.push(this.buckets.get(name).bucket.bucketName);
    for (const value of values) this.exportValue(value);
  }
}
