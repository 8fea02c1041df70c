import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueueName, entries, type QueueName, type QueueSpec } from '../topology';
import { tagWithTopologyName } from './topology-tag';

export interface QueuesProps {
  readonly queues: Readonly<Record<QueueName, QueueSpec>>;
  /** Customer-managed key (regulated deploys); SSE-SQS otherwise. */
  readonly encryptionKey?: kms.IKey;
}

/** A topology queue and, when its spec asks for one, the dead-letter queue it redrives to. */
export interface TopologyQueue {
  readonly name: QueueName;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue?: sqs.Queue;
}

/** A dead-lettered message expires by its original enqueue time, so DLQs keep the most SQS allows. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * One SQS queue per topology queue (FIFO when the spec says so, explicit deduplication ids only),
 * each with its own DLQ of the same type when the spec has `deadLetter`. All SSL-only, SSE-SQS encrypted, retained.
 */
export class Queues extends Construct {
  private readonly byName = new Map<QueueName, TopologyQueue>();
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    for (const [name, spec] of entries(props.queues)) {
      const deadLetter = spec.deadLetter && {
        queue: this.newQueue(`${name}Dlq`, spec, DEAD_LETTER_RETENTION),
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      };
      if (deadLetter) {
        tagWithTopologyName(deadLetter.queue, deadLetterQueueName(name));
        Validations.of(deadLetter.queue).acknowledge({
          id: 'Serverless-SQSRedrivePolicy',
          reason: `The dead-letter queue of ${name}: where retries stop; alarmed on any visible message and redriven by an operator.`,
        });
      }
      const queue = this.newQueue(name, spec, Duration.days(spec.retentionDays), deadLetter);
      tagWithTopologyName(queue, name);
      if (!deadLetter) {
        Validations.of(queue).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason:
            'A topology queue without `deadLetter` is itself a terminal dead-letter destination (e.g. a stream on-failure queue); a DLQ behind it would only move the same messages again. Alarmed on any visible message.',
        });
        Validations.of(queue).acknowledge({
          id: 'Serverless-SQSRedrivePolicy',
          reason: `${name} is itself a terminal dead-letter destination: nothing consumes it, so there is nothing to redrive from it; alarmed on any visible message.`,
        });
      }
      this.byName.set(name, { name, queue, deadLetterQueue: deadLetter?.queue });
    }
  }

  get(name: QueueName): TopologyQueue {
    const queue = this.byName.get(name);
    if (!queue) throw new Error(`Topology queue "${name}" is not provisioned`);
    return queue;
  }

  all(): TopologyQueue[] {
    return [...this.byName.values()];
  }

  private newQueue(id: string, spec: QueueSpec, retention: Duration, deadLetterQueue?: sqs.DeadLetterQueue) {
    return new sqs.Queue(this, id, {
      fifo: spec.fifo,
      // Publishers set MessageDeduplicationId = eventId; content hashing would merge distinct events.
      contentBasedDeduplication: spec.fifo ? false : undefined,
      ...(spec.fifo && spec.highThroughput
        ? {
            fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
          }
        : {}),
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: retention,
      ...(this.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      deadLetterQueue,
    });
  }
}
