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
import {
  type CommandName,
  EXIT,
  helpText,
  type Invocation,
  parseInvocation,
  renderRecord,
  renderTable,
  UsageError,
} from './ops-cli';
import { awsTarget, localTarget, type OpsTarget, terminalQueues, wiring } from './ops-target';
import { InvalidReconcileDate, reconcileDate } from './reconcile-date';

/** What a command found or did: its value for `--json`, and the same for people. */
interface Result {
  readonly value: unknown;
  readonly text: string;
}

const asRecord = (value: unknown): Result => ({
  value,
  text: renderRecord((value ?? {}) as Record<string, unknown>),
});

function orderIdArgument(value: string | undefined, command: CommandName): string {
  const parsed = v.safeParse(orderIdSchema, value);
  if (!parsed.success) throw new UsageError(`give an orderId (${parsed.issues[0]?.message})`, command);
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

async function listDeadLetters(target: OpsTarget): Promise<Result> {
  const queues: { queue: string; messages: number }[] = [];
  for (const queue of terminalQueues()) {
    queues.push({ queue: queue.name, messages: (await attributes(target, queue.name)).depth });
  }
  return {
    value: queues,
    text: renderTable(
      ['queue', 'messages'],
      queues.map((q) => [q.queue, q.messages]),
    ),
  };
}

async function redrive(target: OpsTarget, name: string | undefined): Promise<Result> {
  const source = wiring.queues.find((q) => q.name === name && q.deadLetter);
  if (!source) {
    const names = wiring.queues.filter((q) => q.deadLetter).map((q) => q.name);
    throw new UsageError(
      `no queue with a dead-letter queue named ${name}; choose one of: ${names.join(', ')}`,
      'redrive',
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
      if (task?.FailureReason) throw new Error(task.FailureReason);
      return asRecord({
        from: dlq,
        to: source.name,
        moved: task?.ApproximateNumberOfMessagesMoved ?? 0,
        waiting: from.depth,
        status: task?.Status ?? 'no task',
      });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// Payments

const yesNo = (value: boolean) => (value ? 'yes' : 'NO');
const PAYMENT_FIELDS = [
  'orderId',
  'status',
  'amount',
  'balanceAmount',
  'currency',
  'paymentKey',
  'approvedAt',
  'failure',
  'pendingCancels',
  'eventSeq',
  'updatedAt',
];

async function showPayment(target: OpsTarget, orderId: string): Promise<Result> {
  await target.useComposition();
  const trace = await deliveryTracer()(orderId);
  if (!trace) throw new Error(`no payment ${orderId}`);
  const payment = Object.fromEntries(PAYMENT_FIELDS.map((field) => [field, trace.payment[field]]));
  const events = renderTable(
    ['seq', 'type', 'at', 'published', 'wallet', 'ledger', 'completion'],
    trace.events.map((e) => [
      e.seq,
      e.type,
      e.at,
      yesNo(e.published),
      e.applied.wallet ? 'applied' : 'NOT applied',
      e.applied.ledger ? 'applied' : 'NOT applied',
      e.reported.wallet && e.reported.ledger ? 'reported' : 'NOT reported',
    ]),
  );
  return {
    value: { payment, events: trace.events },
    text: `${renderRecord({ payment: orderId, ...payment, orderId: undefined })}\n\n${trace.events.length ? events : 'no events yet'}`,
  };
}

/** The same use case the completion sweeper runs, for one payment, in this process. */
async function republish(target: OpsTarget, orderId: string): Promise<Result> {
  await target.useComposition();
  const run = republishPaymentUseCase({
    outbox: outboxStore(),
    publisher: eventPublisher(),
    clock: systemClock,
  });
  const republished = await run(orderId);
  if (!republished) throw new Error(`no payment ${orderId} with events`);
  return asRecord(republished);
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

/** The first Seoul day a payment can exist: the payments table's creation. */
async function paymentsTableCreatedOn(): Promise<string | undefined> {
  const { Table } = await dynamoDbClient().send(
    new DescribeTableCommand({ TableName: requiredEnv('PAYMENTS_TABLE') }),
  );
  return Table?.CreationDateTime ? seoulDay(Table.CreationDateTime) : undefined;
}

async function reconcile(target: OpsTarget, invocation: Invocation): Promise<Result> {
  await target.useComposition();
  const date = reconcileDate(invocation.date, systemClock(), await paymentsTableCreatedOn());
  if (invocation.aws) {
    console.error('the deployed reconciliation function runs it: no progress bar, waiting for its summary');
    return asRecord(await target.invoke('reconciliation', { date }));
  }
  // Locally, in this process: the same use case, with a progress bar when a person watches.
  const watched = invocation.progress && process.stderr.isTTY === true;
  const run = reconciliationUseCase({
    ...reconciliationDeps(telemetry()),
    ...(watched ? { onProgress: drawProgress } : {}),
  });
  const { summary, reports } = await run(date, { remainingMs: () => Number.POSITIVE_INFINITY });
  if (watched) process.stderr.write('\n');
  if (summary.dryRun) console.error(`${date} is not closed yet: a dry run, nothing was corrected or stored`);
  return {
    value: { summary, reports },
    text: `${renderRecord(summary as unknown as Record<string, unknown>)}\n\n${reports.map((r) => `report  ${r}`).join('\n')}`,
  };
}

// ---------------------------------------------------------------------------------------------

async function run(invocation: Invocation & { command: CommandName }): Promise<Result> {
  const { command, args } = invocation;
  // A date that can never be reconciled is refused before anything is contacted.
  if (command === 'reconcile') reconcileDate(invocation.date, systemClock());
  const orderId = command === 'republish' || command === 'payment' ? orderIdArgument(args[0], command) : '';
  const target = invocation.aws ? await awsTarget(invocation.stack) : await localTarget();
  console.error(`acting on ${target.description}`);
  switch (command) {
    case 'recover':
      return asRecord(await target.invoke('recovery', {}));
    case 'sweep-outbox':
      return asRecord(await target.invoke('outboxSweeper', {}));
    case 'republish':
      return republish(target, orderId);
    case 'payment':
      return showPayment(target, orderId);
    case 'reconcile':
      return reconcile(target, invocation);
    case 'dlq list':
      return listDeadLetters(target);
    case 'redrive':
      return redrive(target, args[0]);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv);
    if (invocation.help || invocation.command === undefined) {
      console.log(helpText(invocation.command));
      return EXIT.ok;
    }
    const result = await run({ ...invocation, command: invocation.command });
    console.log(invocation.json ? JSON.stringify(result.value, null, 2) : result.text);
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || error instanceof InvalidReconcileDate) {
      const command = error instanceof UsageError ? error.command : 'reconcile';
      console.error(`${message}\n\n${helpText(command)}`);
      return EXIT.usage;
    }
    console.error(message);
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
