import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CompletionReporter, SettlementReport } from '../../ports/completion';

/** Reports to the completion FIFO queue; one message per consumer and event (deduplicated). */
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
        MessageGroupId: report.orderId,
        MessageDeduplicationId: `${report.consumer}:${report.eventId}`,
      }),
    );
  }
}
