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
}

/** Lambda's SQS event source, locally: batches, partial batch responses, delete on success. */
export class QueuePoller {
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: QueuePollerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const received = await this.opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.opts.queueUrl,
            MaxNumberOfMessages: this.opts.trigger.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (received.Messages?.length) await this.handle(received.Messages);
      } catch (error) {
        console.error(`[local] queue poller for ${this.opts.fn.name}:`, error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async handle(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.toRecord(m));
    const ids = records.map((r) => r.messageId);
    let failed: Set<string>;
    try {
      failed = failedIdentifiers(await this.opts.fn.invoke({ Records: records }), ids);
    } catch (error) {
      console.error(`[local] ${this.opts.fn.name} failed a batch of ${records.length}:`, error);
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
