import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { topology } from '../lib/topology';
import { deadLetterName, type LocalQueue, planLocalWiring } from '../local/runtime/wiring';

/**
 * Operator commands against the local stack: `npm run ops -- <command>`.
 *   dlq list          depth of every dead-letter queue
 *   redrive <queue>   move a queue's dead letters back to it and report the counts
 */
const USAGE = 'usage: npm run ops -- dlq list | redrive <queue>';

const sqs = new SQSClient({
  endpoint: process.env.AWS_ENDPOINT_URL_SQS ?? `http://127.0.0.1:${process.env.SQS_PORT ?? 9324}`,
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const queues = planLocalWiring(topology).queues;

async function attributes(queue: LocalQueue) {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.physicalName }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }),
  );
  return { arn: Attributes?.QueueArn ?? '', depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
}

async function listDeadLetters(): Promise<void> {
  const sources = queues.filter((q) => q.deadLetter);
  if (sources.length === 0) console.log('no queue has a dead-letter queue');
  for (const source of sources) {
    const dlq = queues.find((q) => q.name === source.deadLetter?.queue) as LocalQueue;
    console.log(`${dlq.name}\t${(await attributes(dlq)).depth} message(s)`);
  }
}

async function redrive(name: string | undefined): Promise<void> {
  const source = queues.find((q) => q.name === name && q.deadLetter);
  const dlq = queues.find((q) => q.name === deadLetterName(name ?? ''));
  if (!source || !dlq) {
    const names = queues.filter((q) => q.deadLetter).map((q) => q.name);
    throw new Error(
      `no queue with a dead-letter queue named ${name}; choose one of: ${names.join(', ') || '(none)'}`,
    );
  }
  const from = await attributes(dlq);
  const to = await attributes(source);
  await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: from.arn, DestinationArn: to.arn }));
  // The move runs asynchronously; wait for it so the counts reported are final.
  for (;;) {
    const { Results } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: from.arn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    if (task?.Status !== 'RUNNING') {
      console.log(
        `redrive ${dlq.name} -> ${source.name}: ${task?.ApproximateNumberOfMessagesMoved ?? 0} moved of ${from.depth} (${task?.Status ?? 'no task'})`,
      );
      if (task?.FailureReason) throw new Error(task.FailureReason);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(args: string[]): Promise<void> {
  const [command, argument] = args;
  if (command === 'dlq' && argument === 'list') return listDeadLetters();
  if (command === 'redrive') return redrive(argument);
  throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
