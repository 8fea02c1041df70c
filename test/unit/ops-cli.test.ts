/**
 * The operator CLI's grammar (node:util parseArgs), help, exit codes and output formats, without a
 * stack: usage errors are refused before anything is reached.
 */
import {
  COMMANDS,
  helpText,
  parseInvocation,
  renderRecord,
  renderTable,
  UsageError,
} from '../../bin/ops-cli';
import { ops } from '../support/ops-cli';

const usage = (argv: string[]) => {
  try {
    parseInvocation(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return undefined;
};

describe('parsing', () => {
  test('--json, --aws and --help are taken by every command, before or after it', () => {
    const examples: Record<keyof typeof COMMANDS, string[]> = {
      recover: ['recover'],
      'sweep-outbox': ['sweep-outbox'],
      republish: ['republish', 'order-123456'],
      payment: ['payment', 'order-123456'],
      reconcile: ['reconcile', '--date', '2026-03-01'],
      'dlq list': ['dlq', 'list'],
      redrive: ['redrive', 'wallet'],
    };
    for (const [command, argv] of Object.entries(examples)) {
      expect(parseInvocation(['--json', ...argv])).toMatchObject({ command, json: true, help: false });
      expect(parseInvocation([...argv, '--aws', '--json'])).toMatchObject({ command, json: true, aws: true });
      expect(parseInvocation([...argv, '--help'])).toMatchObject({ command, help: true });
    }
  });

  test.each([
    [['bogus'], /unknown command: bogus/],
    [['dlq', 'drop'], /unknown command: dlq drop/],
    [['--force', 'recover'], /Unknown option '--force'/],
    [['--stack', 'X', 'recover'], /--stack needs --aws/],
    [['payment'], /payment takes <orderId>, got: nothing/],
    [['recover', 'now'], /recover takes no argument, got: now/],
    [['recover', '--date', '2026-03-01'], /recover takes no --date/],
    [[], /name a command/],
  ])('%j is a usage error', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });

  test('help names a command: `help <command>` and `<command> --help` alike', () => {
    expect(parseInvocation(['help', 'redrive'])).toMatchObject({ command: 'redrive', help: true });
    expect(parseInvocation(['--help'])).toMatchObject({ command: undefined, help: true });
    expect(helpText('redrive')).toMatch(/^Usage: npm run ops -- .* redrive <queue>$/m);
    expect(helpText('redrive')).not.toContain('sweep-outbox');
    for (const name of Object.keys(COMMANDS)) expect(helpText()).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});

describe('one format for people per command', () => {
  test('a record is aligned `key  value` lines; a list is a table with a header', () => {
    expect(renderRecord({ examined: 3, settled: { SUCCESS: 1 }, skipped: undefined })).toBe(
      'examined  3\nsettled   {"SUCCESS":1}',
    );
    expect(
      renderTable(
        ['queue', 'messages'],
        [
          ['wallet-dlq', 2],
          ['publishFailures', 0],
        ],
      ),
    ).toBe('queue            messages\nwallet-dlq       2\npublishFailures  0');
  });
});

describe('npm run ops, exit status', () => {
  test("2 for a usage error, with the command's help on stderr and nothing acted on", async () => {
    const answer = await ops('reconcile', '--date', '2026-02-30');
    expect(answer.code).toBe(2);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toContain('--date 2026-02-30 is not a calendar date');
    expect(answer.stderr).toContain('Usage: npm run ops -- [--aws [--stack <name>]] [--json] reconcile');
    expect(answer.stderr).not.toContain('acting on');
  }, 30_000);

  test("0 for a subcommand's help, on stdout", async () => {
    const answer = await ops('payment', '--help');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toMatch(/^Usage: .* payment <orderId>$/m);
  }, 30_000);
});
