import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamTrigger } from '../../lib/topology';
import type { CheckpointStore } from './checkpoints';
import { matchesAny } from './event-filter';
import type { LocalFunction } from './functions';
import { type BatchOutcome, outcomeOf } from './partial-batch';
import { type EmulatorGate, PollerStopped, PollingLoop } from './polling-loop';

const FINISHED = 'FINISHED';

export interface StreamPollerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly sqs: SQSClient;
  readonly streamArn: string;
  readonly trigger: StreamTrigger;
  readonly fn: LocalFunction;
  readonly onFailureQueueUrl: string;
  readonly checkpoints: CheckpointStore;
  readonly idleMs: number;
  /** While an emulator is down, no poll and no retry (an outage never spends a record's retries). */
  readonly gate?: EmulatorGate;
}

/**
 * Lambda's DynamoDB Streams event source, locally: per shard in lineage order, one
 * batch at a time (AWS runs up to the trigger's parallelization factor per shard, each partition
 * key's records still in order; locally one is enough), event filters, partial batch responses,
 * bisect on error, bounded retries and record age, then the on-failure destination.
 */
export class StreamPoller extends PollingLoop {
  private readonly iterators = new Map<string, string>();
  protected readonly label: string;
  protected readonly idleMs: number;

  constructor(private readonly opts: StreamPollerOptions) {
    super(opts.gate);
    this.label = `stream poller for ${opts.fn.name}`;
    this.idleMs = opts.idleMs;
  }

  protected async pollOnce(): Promise<boolean> {
    let read = 0;
    for (const shard of await this.eligibleShards()) read += await this.pollShard(shard);
    return read > 0;
  }

  private shardKey(shardId: string): string {
    return `${this.opts.streamArn}|${shardId}`;
  }

  private async eligibleShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.opts.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.opts.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    const known = new Set(shards.map((s) => s.ShardId));
    const finished = (id: string | undefined) =>
      !id || !known.has(id) || this.opts.checkpoints.get(this.shardKey(id)) === FINISHED;
    // A child shard waits until its parent is drained: per-item order spans the split.
    return shards.filter((s) => !finished(s.ShardId) && finished(s.ParentShardId));
  }

  /** Reads one page from the shard and delivers it; returns how many records were read. */
  private async pollShard(shard: Shard): Promise<number> {
    const shardId = shard.ShardId ?? '';
    const key = this.shardKey(shardId);
    const iterator = this.iterators.get(key) ?? (await this.newIterator(shardId));
    let page: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      page = await this.opts.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      // DynamoDB Local answers TrimmedDataAccess to an iterator it handed out while the shard
      // was still empty; like an expired one, it is replaced from the checkpoint. So is any
      // iterator a failed read leaves behind (it may predate an emulator restart).
      this.iterators.delete(key);
      if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException))
        throw error;
      return 0;
    }
    const records = (page.Records ?? []).map((r) => toLambdaRecord(r, this.opts.streamArn));
    const selected = records.filter((r) => matchesAny(this.opts.trigger.filters, r));
    for (let i = 0; i < selected.length; i += this.opts.trigger.batchSize) {
      await this.deliver(selected.slice(i, i + this.opts.trigger.batchSize), shardId);
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.opts.checkpoints.set(key, last);
    if (page.NextShardIterator) {
      this.iterators.set(key, page.NextShardIterator);
    } else {
      this.iterators.delete(key);
      this.opts.checkpoints.set(key, FINISHED);
    }
    return records.length;
  }

  private async newIterator(shardId: string): Promise<string> {
    const position = this.opts.checkpoints.get(this.shardKey(shardId));
    const result = await this.opts.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.opts.streamArn,
        ShardId: shardId,
        ...(position
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return result.ShardIterator ?? '';
  }

  /**
   * Delivers a batch until every record succeeded or went to the on-failure destination.
   * Stopping gives up between attempts (PollerStopped: no checkpoint, the records come again
   * on the next start), never sends records to the on-failure queue for it.
   */
  private async deliver(batch: DynamoDBRecord[], shardId: string): Promise<void> {
    const { trigger } = this.opts;
    let remaining = batch;
    let retries = 0;
    while (remaining.length > 0) {
      const outcome = await this.invoke(remaining);
      if (outcome.succeeded === remaining.length) return;
      remaining = remaining.slice(outcome.succeeded);
      if (this.opts.gate && !this.opts.gate.allUp()) {
        // Failed because an emulator is down: wait for it, and do not count this attempt.
        await this.beforeRetry();
        continue;
      }
      if (this.stopped) throw new PollerStopped();
      retries += 1;
      const condition =
        retries > trigger.maxRetryAttempts
          ? 'RetryAttemptsExhausted'
          : ageSeconds(remaining[0]) > trigger.maxRecordAgeSeconds
            ? 'RecordAgeExceeded'
            : undefined;
      if (condition) {
        await this.sendToOnFailure(remaining, shardId, condition, retries, outcome.error);
        return;
      }
      if (trigger.bisectOnError && outcome.functionError && remaining.length > 1) {
        const middle = Math.ceil(remaining.length / 2);
        await this.deliver(remaining.slice(0, middle), shardId);
        await this.deliver(remaining.slice(middle), shardId);
        return;
      }
      await this.wait(Math.min(100 * 2 ** retries, 2000));
      await this.beforeRetry();
    }
  }

  private async invoke(records: DynamoDBRecord[]): Promise<BatchOutcome> {
    try {
      const response = await this.opts.fn.invoke({ Records: records });
      return outcomeOf(
        response,
        records.map((r) => r.dynamodb?.SequenceNumber ?? ''),
      );
    } catch (error) {
      return { succeeded: 0, functionError: true, error: String(error) };
    }
  }

  private async sendToOnFailure(
    records: DynamoDBRecord[],
    shardId: string,
    condition: string,
    invokeCount: number,
    error: string | undefined,
  ): Promise<void> {
    const first = records[0]?.dynamodb;
    const last = records.at(-1)?.dynamodb;
    const body = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { condition, approximateInvokeCount: invokeCount, functionArn: this.opts.fn.name },
      responseContext: { functionError: error ?? 'Unhandled' },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(first?.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: arrival(last?.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.opts.streamArn,
      },
    };
    console.warn(
      `[local] ${this.opts.fn.name}: ${records.length} stream record(s) sent to the on-failure queue (${condition})`,
    );
    await this.opts.sqs.send(
      new SendMessageCommand({ QueueUrl: this.opts.onFailureQueueUrl, MessageBody: JSON.stringify(body) }),
    );
  }
}

function arrival(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();
}

function ageSeconds(record: DynamoDBRecord | undefined): number {
  const created = record?.dynamodb?.ApproximateCreationDateTime;
  return created === undefined ? 0 : Date.now() / 1000 - created;
}

/** The record shape Lambda hands to handlers (epoch seconds, not Date). */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'local',
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d?.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: d?.Keys,
      NewImage: d?.NewImage,
      OldImage: d?.OldImage,
      SequenceNumber: d?.SequenceNumber,
      SizeBytes: d?.SizeBytes,
      StreamViewType: d?.StreamViewType,
    } as DynamoDBRecord['dynamodb'],
  };
}
