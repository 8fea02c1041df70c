/**
 * The operator CLI's grammar and output, apart from what the commands do (bin/ops.ts): arguments
 * parsed by node:util parseArgs, help per command, and one human format per command (`key  value`
 * lines for a record, an aligned table for a list) or `--json`. Exit codes: 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the CLI was called: exit 2, with the help of the command (or of the CLI). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

interface CommandSpec {
  /** `<orderId>` etc., as the help shows them; each is required. */
  readonly positionals: readonly string[];
  /** Options beyond the global ones (`--aws`, `--stack`, `--json`, `--help`). */
  readonly options: readonly ('date' | 'no-progress')[];
  readonly summary: string;
  readonly output: string;
}

export const COMMANDS = {
  recover: {
    positionals: [],
    options: [],
    summary: 'one recovery run now (payments stuck in EXECUTING or UNKNOWN)',
    output: 'the run: payments examined and settled per outcome',
  },
  'sweep-outbox': {
    positionals: [],
    options: [],
    summary: 'one outbox sweep now (events the stream did not publish)',
    output: 'the sweep: payments republished, failures',
  },
  republish: {
    positionals: ['<orderId>'],
    options: [],
    summary: "send one payment's events again, in seq order, from its event items",
    output: 'the order and the seqs sent',
  },
  payment: {
    positionals: ['<orderId>'],
    options: [],
    summary: 'the payment, its events and where each got to (published, applied, reported)',
    output: "the payment's fields, then a table of its events",
  },
  reconcile: {
    positionals: [],
    options: ['date', 'no-progress'],
    summary: "reconcile a Seoul business day against the PSP's settlements",
    output: "the day's summary, then the report locations",
  },
  'dlq list': {
    positionals: [],
    options: [],
    summary: "depth of every terminal queue: the dead-letter queues and the stream's on-failure queue",
    output: 'a table: queue, messages',
  },
  redrive: {
    positionals: ['<queue>'],
    options: [],
    summary: "move a queue's dead letters back to it",
    output: 'the move: from, to, messages moved of those waiting, status',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

const GLOBAL = `Global options:
  --aws             act on a deployed copy (usual AWS credentials and region), found by its tags
  --stack <name>    which deployed copy (its stack prefix or either stack's name); needs --aws
  --json            print the result as JSON on stdout (for scripts), nothing else on stdout
  -h, --help        this help, or a command's: npm run ops -- <command> --help

Acts on the local stack by default (the ports \`npm start\` prints; SQS_PORT, DYNAMODB_PORT and
PSP_SIM_PORT override them) and refuses when this project's queues and tables are not there.
Every command first says on stderr what it acts on. Exit status: 0 done, 1 failed, 2 usage error.`;

const synopsis = (name: CommandName) => {
  const spec: CommandSpec = COMMANDS[name];
  const options = spec.options.map((option) => (option === 'date' ? '--date YYYY-MM-DD' : `[--${option}]`));
  return [name, ...spec.positionals, ...options].join(' ');
};

export function helpText(command?: CommandName): string {
  if (command) {
    const spec: CommandSpec = COMMANDS[command];
    const progress = spec.options.includes('no-progress')
      ? '\n  --no-progress     no progress bar (it is drawn on stderr only when stderr is a terminal)'
      : '';
    return `Usage: npm run ops -- [--aws [--stack <name>]] [--json] ${synopsis(command)}

${spec.summary}.
Prints ${spec.output}.${progress ? `\n\nOptions:${progress}` : ''}

${GLOBAL}`;
  }
  const width = Math.max(...Object.keys(COMMANDS).map((name) => synopsis(name as CommandName).length));
  const lines = (Object.keys(COMMANDS) as CommandName[]).map(
    (name) => `  ${synopsis(name).padEnd(width)}  ${COMMANDS[name].summary}`,
  );
  return `Operator commands: npm run ops -- [--aws [--stack <name>]] [--json] <command>

${lines.join('\n')}

${GLOBAL}`;
}

export interface Invocation {
  readonly command: CommandName | undefined;
  /** The command's positionals, in order. */
  readonly args: readonly string[];
  readonly aws: boolean;
  readonly stack?: string;
  readonly json: boolean;
  readonly help: boolean;
  readonly date?: string;
  readonly progress: boolean;
}

/** The command a list of words names (`dlq list` is two), and the words after it. */
function commandOf(words: readonly string[]): { command: CommandName; rest: string[] } | undefined {
  const [first, second, ...rest] = words;
  if (first === 'dlq') return second === 'list' ? { command: 'dlq list', rest } : undefined;
  if (first !== undefined && first in COMMANDS) {
    return { command: first as CommandName, rest: second === undefined ? rest : [second, ...rest] };
  }
  return undefined;
}

/** Parses `argv` strictly; throws UsageError on anything it does not know. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const words = positionals[0] === 'help' ? positionals.slice(1) : positionals;
  const help = values.help === true || positionals[0] === 'help';
  const found = commandOf(words);
  if (!found) {
    if (words.length === 0 && help) return { ...common(values), command: undefined, args: [], help: true };
    throw new UsageError(words.length === 0 ? 'name a command' : `unknown command: ${words.join(' ')}`);
  }
  const { command, rest } = found;
  const invocation: Invocation = { ...common(values), command, args: rest, help };
  if (help) return invocation;
  const spec: CommandSpec = COMMANDS[command];
  if (rest.length !== spec.positionals.length) {
    const wanted = spec.positionals.length === 0 ? 'no argument' : spec.positionals.join(' ');
    throw new UsageError(`${command} takes ${wanted}, got: ${rest.join(' ') || 'nothing'}`, command);
  }
  if (values.stack !== undefined && !values.aws) throw new UsageError('--stack needs --aws', command);
  for (const option of ['date', 'no-progress'] as const) {
    if (values[option] !== undefined && !(spec.options as readonly string[]).includes(option))
      throw new UsageError(`${command} takes no --${option}`, command);
  }
  return invocation;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      aws: { type: 'boolean' },
      stack: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      date: { type: 'string' },
      'no-progress': { type: 'boolean' },
    },
  });
}

function common(values: ReturnType<typeof parse>['values']) {
  return {
    aws: values.aws === true,
    stack: values.stack,
    json: values.json === true,
    help: false,
    date: values.date,
    progress: values['no-progress'] !== true,
  };
}

// ---------------------------------------------------------------------------------------------
// Output for people: a record is `key  value` lines, a list is a table with a header.

const cell = (value: unknown): string =>
  value === undefined || value === null
    ? '-'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

export function renderRecord(record: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  const width = Math.max(0, ...keys.map((key) => key.length));
  return keys.map((key) => `${key.padEnd(width)}  ${cell(record[key])}`).join('\n');
}

export function renderTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [columns, ...rows.map((row) => row.map(cell))];
  const widths = columns.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((value, column) =>
          column === row.length - 1 ? value : (value ?? '').padEnd(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}
