import { Duration, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import {
  entries,
  type FilterPattern,
  type QueueTrigger,
  type StreamTrigger,
  type Topology,
} from '../topology';
import type { Functions } from './functions';
import type { Queues } from './queues';
import type { Tables } from './tables';

export interface EventSourcesProps {
  readonly topology: Topology;
  readonly functions: Functions;
  readonly tables: Tables;
  readonly queues: Queues;
}

/** Event source mappings for every `stream` and `queue` trigger in the topology. */
export class EventSources extends Construct {
  constructor(scope: Construct, id: string, props: EventSourcesProps) {
    super(scope, id);
    for (const [name, spec] of entries(props.topology.functions)) {
      const fn = props.functions.get(name);
      for (const trigger of spec.triggers) {
        if (trigger.kind === 'stream') fn.addEventSource(streamSource(trigger, props));
        if (trigger.kind === 'queue') {
          fn.addEventSource(queueSource(trigger, props));
          Validations.of(fn).acknowledge({
            id: 'Serverless-LambdaEventSourceMappingDestination',
            reason: `An SQS event source takes no on-failure destination: the ${trigger.queue} queue's own redrive policy moves a message that keeps failing to its DLQ.`,
          });
        }
      }
    }
  }
}

function streamSource(trigger: StreamTrigger, { tables, queues }: EventSourcesProps): DynamoEventSource {
  return new DynamoEventSource(tables.get(trigger.table), {
    // Nothing already in the stream may be skipped: the outbox relies on every record arriving.
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    filters: trigger.filters.map(toFilterCriteria),
    batchSize: trigger.batchSize,
    parallelizationFactor: trigger.parallelizationFactor,
    bisectBatchOnError: trigger.bisectOnError,
    retryAttempts: trigger.maxRetryAttempts,
    maxRecordAge: Duration.seconds(trigger.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(queues.get(trigger.onFailureQueue).queue),
  });
}

function queueSource(trigger: QueueTrigger, { queues }: EventSourcesProps): SqsEventSource {
  return new SqsEventSource(queues.get(trigger.queue).queue, {
    batchSize: trigger.batchSize,
    reportBatchItemFailures: true,
  });
}

/** Topology filter patterns already use Lambda's event-filter grammar, so they pass through unchanged. */
function toFilterCriteria(pattern: FilterPattern): Record<string, unknown> {
  return lambda.FilterCriteria.filter(pattern);
}
