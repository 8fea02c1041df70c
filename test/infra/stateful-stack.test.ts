import { Match } from 'aws-cdk-lib/assertions';
import { deadLetterQueueName, entries, type Topology, topology } from '../../lib/topology';
import { fullTopology } from './fixtures/full-topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';
import { topologyResource } from './template-queries';

describe.each<[string, Topology]>([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('stateful stack (%s)', (_label, subject) => {
  let synth: SynthesizedPaymentsApp;
  beforeAll(() => {
    synth = synthPaymentsApp(subject);
  });

  test('is termination-protected', () => {
    expect(synth.stateful.terminationProtection).toBe(true);
  });

  test('tables are on-demand, PITR, encrypted, retained, with stream, TTL and indexes per spec', () => {
    for (const [name, spec] of entries(subject.tables)) {
      const { resource } = topologyResource(synth.statefulTemplate, 'AWS::DynamoDB::Table', name);
      const props = resource.Properties;
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
      expect(props).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(props.StreamSpecification).toEqual(spec.stream ? { StreamViewType: spec.stream } : undefined);
      expect(props.TimeToLiveSpecification).toEqual(
        spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
      );
      const indexes = (props.GlobalSecondaryIndexes ?? []) as { IndexName: string; Projection: unknown }[];
      expect(indexes.map((index) => index.IndexName)).toEqual(spec.indexes.map((index) => index.name));
      // No index copies whole items: each projects only what its readers use.
      for (const [i, index] of indexes.entries()) {
        const projection = spec.indexes[i]?.projection;
        expect(index.Projection).toEqual(
          projection === 'KEYS_ONLY'
            ? { ProjectionType: 'KEYS_ONLY' }
            : { ProjectionType: 'INCLUDE', NonKeyAttributes: projection?.include },
        );
      }
    }
  });

  test('queues follow their spec; each `deadLetter` queue redrives to its own DLQ of the same type', () => {
    for (const [name, spec] of entries(subject.queues)) {
      const queue = topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', name);
      expect(queue.resource.DeletionPolicy).toBe('Retain');
      expect(queue.resource.Properties).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionDays * 86_400,
        SqsManagedSseEnabled: true,
      });
      expect(queue.resource.Properties.FifoQueue).toBe(spec.fifo ? true : undefined);
      if (spec.fifo) expect(queue.resource.Properties.ContentBasedDeduplication).toBe(false);
      // High-throughput FIFO: limits and deduplication per message group (orderId).
      const highThroughput = spec.fifo && spec.highThroughput;
      expect(queue.resource.Properties.FifoThroughputLimit).toBe(
        highThroughput ? 'perMessageGroupId' : undefined,
      );
      expect(queue.resource.Properties.DeduplicationScope).toBe(highThroughput ? 'messageGroup' : undefined);

      if (!spec.deadLetter) {
        expect(queue.resource.Properties.RedrivePolicy).toBeUndefined();
        continue;
      }
      const dlq = topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', deadLetterQueueName(name));
      expect(dlq.resource.DeletionPolicy).toBe('Retain');
      expect(dlq.resource.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      expect(dlq.resource.Properties.FifoQueue).toBe(spec.fifo ? true : undefined);
      expect(queue.resource.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq.logicalId, 'Arn'] },
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      });
    }
  });

  test('FIFO queues have a FIFO DLQ after at least 5 receives', () => {
    for (const [name, spec] of entries(subject.queues)) {
      if (!spec.fifo) continue;
      const queue = topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', name);
      const dlq = topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', deadLetterQueueName(name));
      expect(dlq.resource.Properties.FifoQueue).toBe(true);
      const redrive = queue.resource.Properties.RedrivePolicy as { maxReceiveCount: number };
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    }
  });

  test('every queue, DLQs included, denies requests without TLS', () => {
    const queues = synth.statefulTemplate.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).length).toBeGreaterThan(0);
    for (const logicalId of Object.keys(queues)) {
      synth.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('buckets are private, SSE-S3, TLS-only, versioned, access-logged and retained', () => {
    for (const name of Object.keys(subject.buckets)) {
      const { logicalId, resource } = topologyResource(synth.statefulTemplate, 'AWS::S3::Bucket', name);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.any(String) } },
      });
      synth.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the PSP secret is retained', () => {
    synth.statefulTemplate.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});
