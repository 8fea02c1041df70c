import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { getDotPath, ValiError } from 'valibot';
import { EventOutOfOrder } from '../adapters/dynamodb/apply-once';
import type { DomainEvent } from '../domain/events';
import type { CompletionReporter, SettlingConsumer } from '../ports/completion';
import { parseDomainEvent } from './event-schema';

export interface EventConsumerDeps {
  readonly consumer: SettlingConsumer;
  /** The consumer's use case: applies the event exactly once, in order per payment. */
  readonly apply: (event: DomainEvent) => Promise<'applied' | 'duplicate' | 'gap'>;
  readonly reporter: CompletionReporter;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
}

/** Why a body is not an event, without echoing the body (SyntaxError messages quote it). */
function parseFailure(error: unknown): string {
  if (error instanceof ValiError)
    return error.issues.map((issue) => `${getDotPath(issue) ?? '(body)'}: ${issue.type}`).join('; ');
  return error instanceof SyntaxError ? 'malformed JSON' : String(error);
}

/**
 * One queue message: parse → apply → report. Throwing fails the message, so it is retried and,
 * after maxReceiveCount, dead-lettered: a poison body, a gap (its predecessor is not applied
 * yet) and any infrastructure error all take that path.
 */
export function eventRecordHandler(deps: EventConsumerDeps): (record: SQSRecord) => Promise<void> {
  return async (record) => {
    const message = { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount };
    let event: DomainEvent;
    try {
      event = parseDomainEvent(record.body);
    } catch (error) {
      deps.logger.error('Poison message: not a payment event', { ...message, reason: parseFailure(error) });
      throw error;
    }
    const about = { ...message, orderId: event.orderId, seq: event.seq, type: event.type };
    try {
      const result = await deps.apply(event);
      if (result === 'gap') throw new EventOutOfOrder(event.orderId, event.seq);
      // Also after a duplicate: the first report may have been lost after the effect committed.
      await deps.reporter.report({
        consumer: deps.consumer,
        orderId: event.orderId,
        seq: event.seq,
        eventId: event.eventId,
      });
    } catch (error) {
      if (error instanceof EventOutOfOrder)
        deps.logger.warn('Event ahead of its predecessor; retrying', about);
      else deps.logger.error('Event processing failed; retrying', { ...about, error });
      throw error;
    }
  };
}

/**
 * A Lambda handler for a FIFO queue. The FIFO processor handles records one by one and, after a
 * failure, fails the rest of that message group in the batch, so nothing of one payment is
 * applied ahead of what failed before it, while other payments' events are not held back.
 */
export function fifoQueueHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // A processor holds the state of one batch: a fresh one per invocation shares nothing.
    return processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
      context,
      // A batch that fails whole (often a single message waiting for its predecessor) is routine:
      // report it as item failures rather than as a function error that trips error alarms.
      throwOnFullBatchFailure: false,
      // Only the failed message's group waits behind it: other payments' events go on.
      skipGroupOnError: true,
    });
  };
}

/**
 * A Lambda handler for a standard queue whose messages may arrive in any order and more than once
 * (the completion reports): records are processed concurrently, failures reported one by one.
 */
export function standardQueueHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}

/** The Lambda handler of a payment-event consumer (wallet, ledger). */
export function eventConsumer(deps: EventConsumerDeps) {
  return fifoQueueHandler(eventRecordHandler(deps));
}
