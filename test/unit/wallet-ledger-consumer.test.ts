import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent } from '../../lambdas/domain/events';
import type { SettlementReport } from '../../lambdas/ports/completion';
import { type EventConsumerDeps, eventConsumer } from '../../lambdas/shared/event-consumer';
import { AT } from './payment-fixtures';

/** The shared consumer plumbing (parse → apply once → report) with fakes: no DynamoDB, no SQS. */

function confirmed(orderId: string, seq: number): DomainEvent {
  return {
    eventId: `${orderId}:${seq}`,
    type: 'PaymentConfirmed',
    orderId,
    seq,
    occurredAt: AT,
    buyerId: 'buyer-1',
    amount: 1_000,
    currency: 'KRW',
    items: [{ sellerId: 'seller-a', productId: 'p-1', amount: 1_000 }],
    paymentKey: 'key-1',
    approvedAt: AT,
  };
}

function record(id: string, body: string, groupId = 'order-1'): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `receipt-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: groupId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:wallet.fifo',
    awsRegion: 'local',
  };
}

const context = { awsRequestId: 'request-1' } as Context;

/** A consumer whose use case answers from `results` by eventId ('applied' when absent). */
function consumerWith(results: Record<string, 'applied' | 'duplicate' | 'gap' | Error> = {}) {
  const applied: string[] = [];
  const reports: SettlementReport[] = [];
  const logs: { level: string; message: string; extra: unknown }[] = [];
  let failReports = false;
  const deps: EventConsumerDeps = {
    consumer: 'wallet',
    apply: async (event) => {
      applied.push(event.eventId);
      const result = results[event.eventId] ?? 'applied';
      if (result instanceof Error) throw result;
      return result;
    },
    reporter: {
      report: async (report) => {
        if (failReports) throw new Error('SQS unavailable');
        reports.push(report);
      },
    },
    logger: {
      warn: (message: string, extra: unknown) => logs.push({ level: 'warn', message, extra }),
      error: (message: string, extra: unknown) => logs.push({ level: 'error', message, extra }),
    } as unknown as EventConsumerDeps['logger'],
  };
  const handler = eventConsumer(deps);
  return {
    applied,
    reports,
    logs,
    failReports: () => {
      failReports = true;
    },
    run: async (records: SQSRecord[]) =>
      (await handler({ Records: records } as SQSEvent, context)).batchItemFailures.map(
        (f) => f.itemIdentifier,
      ),
  };
}

const message = (id: string, orderId: string, seq: number) =>
  record(id, JSON.stringify(confirmed(orderId, seq)), orderId);

describe('payment event consumer', () => {
  it('applies each event and then reports it', async () => {
    const consumer = consumerWith();
    await expect(consumer.run([message('m1', 'order-1', 1), message('m2', 'order-1', 2)])).resolves.toEqual(
      [],
    );
    expect(consumer.applied).toEqual(['order-1:1', 'order-1:2']);
    expect(consumer.reports).toEqual([
      { consumer: 'wallet', orderId: 'order-1', seq: 1, eventId: 'order-1:1' },
      { consumer: 'wallet', orderId: 'order-1', seq: 2, eventId: 'order-1:2' },
    ]);
  });

  it('acknowledges a duplicate and reports it again, in case the first report was lost', async () => {
    const consumer = consumerWith({ 'order-1:1': 'duplicate' });
    await expect(consumer.run([message('m1', 'order-1', 1)])).resolves.toEqual([]);
    expect(consumer.reports).toHaveLength(1);
  });

  it('fails an event that arrived before its predecessor, and what follows it in its group only', async () => {
    const consumer = consumerWith({ 'order-1:2': 'gap' });
    const failed = await consumer.run([
      message('m1', 'order-1', 1),
      message('m2', 'order-1', 2),
      message('m3', 'order-2', 1),
      message('m4', 'order-1', 3),
    ]);
    expect(failed).toEqual(['m2', 'm4']);
    // Order is kept per payment: nothing of order-1 after the failure is applied; order-2 goes on.
    expect(consumer.applied).toEqual(['order-1:1', 'order-1:2', 'order-2:1']);
    expect(consumer.reports.map((r) => r.eventId)).toEqual(['order-1:1', 'order-2:1']);
    expect(consumer.logs).toEqual([expect.objectContaining({ level: 'warn' })]);
  });

  it('fails a poison message without applying it and without logging its body', async () => {
    const consumer = consumerWith();
    const poison = [
      record('m1', '{"type":"PaymentConfirmed","secretish":"x"'),
      record('m2', '{"type":"Nope"}'),
    ];
    await expect(consumer.run([poison[0] as SQSRecord])).resolves.toEqual(['m1']);
    await expect(consumer.run([poison[1] as SQSRecord])).resolves.toEqual(['m2']);
    expect(consumer.applied).toEqual([]);
    expect(consumer.logs.map((l) => l.level)).toEqual(['error', 'error']);
    expect(JSON.stringify(consumer.logs)).not.toContain('secretish');
  });

  it('fails the message when the store or the report fails, so it is retried', async () => {
    const consumer = consumerWith({ 'order-1:1': new Error('throttled') });
    await expect(consumer.run([message('m1', 'order-1', 1)])).resolves.toEqual(['m1']);

    const reporting = consumerWith();
    reporting.failReports();
    await expect(reporting.run([message('m1', 'order-1', 1)])).resolves.toEqual(['m1']);
    expect(reporting.applied).toEqual(['order-1:1']);
    expect(reporting.logs).toEqual([expect.objectContaining({ level: 'error' })]);
  });
});
