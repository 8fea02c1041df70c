import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { QueueTrigger } from '../../lib/topology';
import type { LocalFunction } from './functions';
import { failedIdentifiers } from './partial-batch';
import { type EmulatorGate, PollingLoop } from './polling-loop';
import { quietLog } from './quiet-log';

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly trigger: QueueTrigger;
  readonly fn: LocalFunction;
  /**
   * Lambda leaves a failed message invisible for the queue's whole visibility timeout;
   * locally that would make every retry wait minutes, so failures become visible again
   * after this many seconds. Receive counts, and so DLQ redrive, behave as in AWS.
   */
  readonly retryVisibilitySeconds: number;
  /** Wait after an empty receive (Lambda's pollers take a moment too; the chaos run lengthens it). */
  readonly idleMs: number;
  /** While an emulator is down, no receive (the handler would only fail and burn receive counts). */
  readonly gate?: EmulatorGate;
}

/** Lambda's SQS event source, locally: batches, partial batch responses, delete on success. */
export class QueuePoller extends PollingLoop {
  protected readonly label: string;
  protected readonly idleMs: number;

  constructor(private readonly opts: QueuePollerOptions) {
    super(opts.gate);
    this.label = `queue poller for ${opts.fn.name}`;
    this.idleMs = opts.idleMs;
  }

  /**
   * Short polls: local-aws-sqs holds a long poll for more than one message until the batch is
   * full or the wait ends, which would add up to a second per hop; Lambda's poller does not.
   */
  protected async pollOnce(): Promise<boolean> {
    const received = await this.opts.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MaxNumberOfMessages: this.opts.trigger.batchSize,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!received.Messages?.length) return false;
    await this.handle(received.Messages);
    return true;
  }

  private async handle(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.toRecord(m));
    const ids = records.map((r) => r.messageId);
    let failed: Set<string>;
    try {
      failed = failedIdentifiers(await this.opts.fn.invoke({ Records: records }), ids);
    } catch (error) {
      quietLog.error(
        `batch ${this.opts.fn.name}`,
        `${this.opts.fn.name} failed a batch of ${records.length}:`,
        error,
      );
      failed = new Set(ids);
    }
    const succeeded = records.filter((r) => !failed.has(r.messageId));
    if (succeeded.length) {
      await this.opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    const retried = records.filter((r) => failed.has(r.messageId));
    if (retried.length) {
      await this.opts.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: retried.map((r, i) => ({
            Id: String(i),
            ReceiptHandle: r.receiptHandle,
            VisibilityTimeout: this.opts.retryVisibilitySeconds,
          })),
        }),
      );
    }
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
        ...(attributes.MessageDeduplicationId
          ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
          : {}),
        ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.opts.queueArn,
      awsRegion: 'local',
    };
  }
}
