import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CompletionReporter, SettlementReport } from '../../ports/completion';

/**
 * Reports to the completion queue: a standard queue, so it takes thousands of sends/s where a FIFO
 * queue without high-throughput mode takes 300. Duplicates and reordering are harmless: the
 * payment keeps each consumer's highest seq and an older report changes nothing.
 */
export class SqsCompletionReporter implements CompletionReporter {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async report(report: SettlementReport): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(report),
      }),
    );
  }
}
