import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsCompletionReporter } from '../adapters/sqs/completion-reporter';
import { SqsEventPublisher } from '../adapters/sqs/event-publisher';
import type { CompletionReporter } from '../ports/completion';
import type { EventPublisher } from '../ports/outbox';
import { requiredEnv } from './composition';
import { traced } from './telemetry';

/** The composition of the SQS senders, for the functions that send. */

function sqsClient(): SQSClient {
  return traced(new SQSClient({}));
}

/** A queue's shard URLs in shard order: `<envVar>`, then `<envVar>_1`, `<envVar>_2`, ... as the topology sets them. */
function shardUrls(envVar: string): string[] {
  const urls = [requiredEnv(envVar)];
  for (let shard = 1; process.env[`${envVar}_${shard}`]; shard++)
    urls.push(process.env[`${envVar}_${shard}`] as string);
  return urls;
}

/** Every queue that receives payment events, in a fixed order, each by its shards. */
export function eventPublisher(client: SQSClient = sqsClient()): EventPublisher {
  return new SqsEventPublisher(client, [shardUrls('WALLET_QUEUE_URL'), shardUrls('LEDGER_QUEUE_URL')]);
}

/** Where the wallet and ledger consumers report each event they have applied. */
export function completionReporter(client: SQSClient = sqsClient()): CompletionReporter {
  return new SqsCompletionReporter(client, requiredEnv('COMPLETION_QUEUE_URL'));
}
