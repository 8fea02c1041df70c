import { resolve } from 'node:path';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { type ReconciliationProgress, reconciliationUseCase } from '../lambdas/application/reconciliation';
import { reconciliationDeps } from '../lambdas/shared/composition';
import { entries, topology } from '../lib/topology';
import { deadLetterName, type LocalQueue, planLocalWiring } from '../local/runtime/wiring';

/**
 * Operator commands against the local stack: `npm run ops -- <command>`.
 *   dlq list          depth of every dead-letter queue
 *   redrive <queue>   move a queue's dead letters back to it and report the counts
 *   reconcile --date YYYY-MM-DD
 *                     reconcile a Seoul day against the PSP simulator's settlements, in this process
 */
const USAGE = 'usage: npm run ops -- dlq list | redrive <queue> | reconcile --date YYYY-MM-DD';

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

/** The local stack's wiring, as the runtime hands it to handlers; anything already set wins. */
function useLocalStackEnvironment(): void {
  const env = process.env;
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_ENDPOINT_URL_DYNAMODB ??= `http://127.0.0.1:${env.DYNAMODB_PORT ?? 8000}`;
  env.PSP_BASE_URL ??= `http://127.0.0.1:${env.PSP_SIM_PORT ?? 4010}`;
  env.PSP_SECRET_KEY ??= 'test_sk_local_simulator';
  for (const [name, spec] of entries(topology.tables)) env[spec.envVar] ??= name;
  // Not the bucket: REPORTS_BUCKET would mean S3. Reports go to REPORTS_DIR, or reports/ here.
  env.REPORTS_DIR ??= resolve(__dirname, '..', 'reports');
}

const BAR_WIDTH = 30;

/** `[######......] 12,345 / 40,000 rows (pass 2/4)`, redrawn in place on stderr. */
function drawProgress({ pass, passes, rowsRead, rowsTotal }: ReconciliationProgress): void {
  const filled = rowsTotal ? Math.round((BAR_WIDTH * rowsRead) / Math.max(rowsTotal, 1)) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const total = rowsTotal === undefined ? '' : ` / ${rowsTotal.toLocaleString('en')}`;
  process.stderr.write(`\r${bar} ${rowsRead.toLocaleString('en')}${total} rows (pass ${pass}/${passes})`);
}

async function reconcile(args: string[]): Promise<void> {
  const flag = args.indexOf('--date');
  const date = z.iso.date().safeParse(flag >= 0 ? args[flag + 1] : undefined);
  if (!date.success) throw new Error(USAGE);
  useLocalStackEnvironment();
  const run = reconciliationUseCase({ ...reconciliationDeps(), onProgress: drawProgress });
  const { summary, reports } = await run(date.data, { remainingMs: () => Number.POSITIVE_INFINITY });
  process.stderr.write('\n');
  console.log(JSON.stringify(summary, null, 2));
  for (const location of reports) console.log(`report: ${location}`);
}

async function main(args: string[]): Promise<void> {
  const [command, argument] = args;
  if (command === 'dlq' && argument === 'list') return listDeadLetters();
  if (command === 'redrive') return redrive(argument);
  if (command === 'reconcile') return reconcile(args.slice(1));
  throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
