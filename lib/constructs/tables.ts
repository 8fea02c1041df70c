import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { entries, type IndexProjection, type KeySpec, type TableName, type TableSpec } from '../topology';
import { tagWithTopologyName } from './topology-tag';

export interface TablesProps {
  readonly tables: Readonly<Record<TableName, TableSpec>>;
  /** Retained and deletion-protected (prod), or deleted with the stack (dev, LocalStack). */
  readonly retained: boolean;
  /** Customer-managed key (regulated deploys); AWS-managed otherwise. */
  readonly encryptionKey?: kms.IKey;
}

/** One DynamoDB table per topology table: on-demand, PITR, AWS-managed KMS; retained and deletion-protected when the profile keeps data. */
export class Tables extends Construct {
  private readonly byName = new Map<TableName, dynamodb.Table>();

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    for (const [name, spec] of entries(props.tables)) {
      const table = new dynamodb.Table(this, name, {
        partitionKey: attribute(spec.partitionKey),
        sortKey: spec.sortKey && attribute(spec.sortKey),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        ...(props.encryptionKey
          ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
          : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
        stream: spec.stream && dynamodb.StreamViewType[spec.stream],
        timeToLiveAttribute: spec.ttlAttribute,
        deletionProtection: props.retained,
        removalPolicy: props.retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of spec.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
          ...projection(index.projection),
        });
      }
      tagWithTopologyName(table, name);
      this.byName.set(name, table);
    }
  }

  get(name: TableName): dynamodb.Table {
    const table = this.byName.get(name);
    if (!table) throw new Error(`Topology table "${name}" is not provisioned`);
    return table;
  }
}

function attribute(key: KeySpec): dynamodb.Attribute {
  const type = key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
  return { name: key.name, type };
}

function projection(
  spec: IndexProjection,
): Pick<dynamodb.GlobalSecondaryIndexProps, 'projectionType' | 'nonKeyAttributes'> {
  return spec === 'KEYS_ONLY'
    ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
    : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...spec.include] };
}
