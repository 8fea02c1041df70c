import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { type ReconciliationProgress, reconciliationUseCase } from '../lambdas/application/reconciliation';
import { republishPaymentUseCase } from '../lambdas/application/republish-payment';
import { seoulDay } from '../lambdas/domain/business-day';
import {
  deliveryTracer,
  dynamoDbClient,
  outboxStore,
  requiredEnv,
  systemClock,
} from '../lambdas/shared/composition';
import { eventPublisher } from '../lambdas/shared/queues';
import { reconciliationDeps } from '../lambdas/shared/reconciliation-deps';
import { orderIdSchema } from '../lambdas/shared/schemas';
import { telemetry } from '../lambdas/shared/telemetry';
import { deadLetterQueueName } from '../lib/topology';
import { awsTarget, localTarget, type OpsTarget, terminalQueues, wiring } from './ops-target';
import { InvalidReconcileDate, reconcileDate } from './reconcile-date';

const HELP = `Operator commands: npm run ops -- [--aws [--stack <name>]] <command>

  recover                      one recovery run now (payments stuck in EXECUTING or UNKNOWN)
  sweep-outbox                 one outbox sweep now (events the stream did not publish)
  republish <orderId>          send one payment's events again, in seq order, from its event items
  payment <orderId>            the payment, its events and where each got to:
                               published, applied by wallet and ledger, reported back (completion)
  reconcile --date YYYY-MM-DD  reconcile a Seoul business day against the PSP's settlements
  dlq list                     depth of every terminal queue: the dead-letter queues and the
                               stream's on-failure queue
  redrive <queue>              move a queue's dead letters back to it

Acts on the local stack by default (the ports \`npm start\` prints; SQS_PORT, DYNAMODB_PORT and
PSP_SIM_PORT override them) and refuses when this project's queues and tables are not there.
--aws acts on a deployed copy with the usual AWS credentials and region, finding its resources by
their payments:stack and payments:topology tags; --stack names the copy (its stack prefix, e.g.
Payments, or either stack's name) and is required when the account holds several.
Every command first prints what it acts on.`;

interface Options {
  readonly aws: boolean;
  readonly stack?: string;
  readonly date?: string;
  readonly help: boolean;
  readonly words: string[];
}

function parseOptions(args: readonly string[]): Options {
  const words: string[] = [];
  let aws = false;
  let help = false;
  let stack: string | undefined;
  let date: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--aws') aws = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--stack') stack = args[++i];
    else if (arg === '--date') date = args[++i];
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else words.push(arg);
  }
  if (stack !== undefined && !aws) throw new UsageError('--stack needs --aws');
  return { aws, stack, date, help, words };
}

class UsageError extends Error {}

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

function orderIdArgument(value: string | undefined): string {
  const parsed = v.safeParse(orderIdSchema, value);
  if (!parsed.success) throw new UsageError(`give an orderId (${parsed.issues[0]?.message})`);
  return parsed.output;
}

// ---------------------------------------------------------------------------------------------
// Queues

async function attributes(target: OpsTarget, name: string) {
  const { Attributes } = await target.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.queueUrl(name),
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    }),
  );
  return { arn: Attributes?.QueueArn ?? '', depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
}

async function listDeadLetters(target: OpsTarget): Promise<void> {
  for (const queue of terminalQueues()) {
    console.log(`${queue.name}\t${(await attributes(target, queue.name)).depth} message(s)`);
  }
}

async function redrive(target: OpsTarget, name: string | undefined): Promise<void> {
  const source = wiring.queues.find((q) => q.name === name && q.deadLetter);
  if (!source) {
    const names = wiring.queues.filter((q) => q.deadLetter).map((q) => q.name);
    throw new UsageError(
      `no queue with a dead-letter queue named ${name}; choose one of: ${names.join(', ')}`,
    );
  }
  const dlq = deadLetterQueueName(source.name);
  const from = await attributes(target, dlq);
  const to = await attributes(target, source.name);
  await target.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: from.arn, DestinationArn: to.arn }));
  // The move runs asynchronously; wait for it so the counts reported are final.
  for (;;) {
    const { Results } = await target.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: from.arn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    if (task?.Status !== 'RUNNING') {
      console.log(
        `redrive ${dlq} -> ${source.name}: ${task?.ApproximateNumberOfMessagesMoved ?? 0} moved of ${from.depth} (${task?.Status ?? 'no task'})`,
      );
      if (task?.FailureReason) throw new Error(task.FailureReason);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// Payments

const yesNo = (value: boolean) => (value ? 'yes' : 'NO');

async function showPayment(target: OpsTarget, orderId: string): Promise<void> {
  await target.useComposition();
  const trace = await deliveryTracer()(orderId);
  if (!trace) throw new Error(`no payment ${orderId}`);
  const p = trace.payment;
  const fields = [
    'status',
    'amount',
    'balanceAmount',
    'currency',
    'paymentKey',
    'approvedAt',
    'failure',
    'pendingCancels',
  ];
  console.log(`payment ${orderId}`);
  for (const field of [...fields, 'eventSeq', 'updatedAt']) {
    const value = p[field];
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (value !== undefined) console.log(`  ${field.padEnd(14)}${shown}`);
  }
  if (trace.events.length === 0) {
    console.log('no events yet');
    return;
  }
  const rows = [
    ['seq', 'type', 'at', 'published', 'wallet', 'ledger', 'completion'],
    ...trace.events.map((e) => [
      String(e.seq),
      e.type,
      e.at,
      yesNo(e.published),
      e.applied.wallet ? 'applied' : 'NOT applied',
      e.applied.ledger ? 'applied' : 'NOT applied',
      e.reported.wallet && e.reported.ledger ? 'reported' : 'NOT reported',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
}

/** The same use case the completion sweeper runs, for one payment, in this process. */
async function republish(target: OpsTarget, orderId: string): Promise<void> {
  await target.useComposition();
  const run = republishPaymentUseCase({
    outbox: outboxStore(),
    publisher: eventPublisher(),
    clock: systemClock,
  });
  const republished = await run(orderId);
  if (!republished) throw new Error(`no payment ${orderId} with events`);
  print(republished);
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

const BAR_WIDTH = 30;

/** `[######......] 12,345 / 40,000 rows (pass 2/4)`, redrawn in place on stderr. */
function drawProgress({ pass, passes, rowsRead, rowsTotal }: ReconciliationProgress): void {
  const filled = rowsTotal ? Math.round((BAR_WIDTH * rowsRead) / Math.max(rowsTotal, 1)) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const total = rowsTotal === undefined ? '' : ` / ${rowsTotal.toLocaleString('en')}`;
  const stage = pass === 0 ? 'reading the PSP' : `pass ${pass}/${passes}`;
  process.stderr.write(`\r${bar} ${rowsRead.toLocaleString('en')}${total} rows (${stage})`);
}

/** No payment predates the payments table: its creation day is a cheap lower bound for a date. */
async function paymentsTableCreatedOn(): Promise<string | undefined> {
  const { Table } = await dynamoDbClient().send(
    new DescribeTableCommand({ TableName: requiredEnv('PAYMENTS_TABLE') }),
  );
  return Table?.CreationDateTime ? seoulDay(Table.CreationDateTime) : undefined;
}

async function reconcile(target: OpsTarget, aws: boolean, given: string | undefined): Promise<void> {
  await target.useComposition();
  const date = reconcileDate(given, systemClock(), await paymentsTableCreatedOn());
  if (aws) {
    console.error('the deployed reconciliation function runs it: no progress bar, waiting for its summary');
    print(await target.invoke('reconciliation', { date }));
    return;
  }
  // Locally, in this process: the same use case, with a progress bar.
  const run = reconciliationUseCase({ ...reconciliationDeps(telemetry()), onProgress: drawProgress });
  const { summary, reports } = await run(date, { remainingMs: () => Number.POSITIVE_INFINITY });
  process.stderr.write('\n');
  if (summary.dryRun) console.error(`${date} is not closed yet: a dry run, nothing was corrected or stored`);
  print(summary);
  for (const location of reports) console.log(`report: ${location}`);
}

// ---------------------------------------------------------------------------------------------

async function main(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  const [command, argument] = options.words;
  if (options.help || command === undefined || command === 'help') {
    console.log(HELP);
    return;
  }
  const known = ['recover', 'sweep-outbox', 'republish', 'payment', 'reconcile', 'dlq', 'redrive'];
  if (!known.includes(command) || (command === 'dlq' && argument !== 'list')) {
    throw new UsageError(`unknown command: ${options.words.join(' ')}`);
  }
  // A date that can never be reconciled is refused before anything is contacted.
  if (command === 'reconcile') reconcileDate(options.date, systemClock());
  const target = options.aws ? await awsTarget(options.stack) : await localTarget();
  console.error(`acting on ${target.description}`);
  switch (command) {
    case 'recover':
      return print(await target.invoke('recovery', {}));
    case 'sweep-outbox':
      return print(await target.invoke('outboxSweeper', {}));
    case 'republish':
      return republish(target, orderIdArgument(argument));
    case 'payment':
      return showPayment(target, orderIdArgument(argument));
    case 'reconcile':
      return reconcile(target, options.aws, options.date);
    case 'dlq':
      return listDeadLetters(target);
    case 'redrive':
      return redrive(target, argument);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `${message}\n\n${HELP}` : message);
  process.exit(error instanceof InvalidReconcileDate ? error.exitCode : 1);
});
