/**
 * `npm run chaos -- [--kills N] [--payments N] [--concurrency N] [--seed N]
 * [--disable-completion-sweeper] [--disable-webhooks] [--keep-data]`: writes reports/chaos.json, exits 1 on any
 * violated invariant (and names it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CHAOS_OPTIONS, runChaos } from './run';

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string' },
      payments: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      'disable-completion-sweeper': { type: 'boolean', default: false },
      'disable-webhooks': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  const options = {
    ...DEFAULT_CHAOS_OPTIONS,
    kills: positive('kills', values.kills, DEFAULT_CHAOS_OPTIONS.kills, 0),
    payments: positive('payments', values.payments, DEFAULT_CHAOS_OPTIONS.payments),
    concurrency: positive('concurrency', values.concurrency, DEFAULT_CHAOS_OPTIONS.concurrency),
    seed: positive('seed', values.seed, Date.now() % 1_000_000),
    disableCompletionSweeper:
      values['disable-completion-sweeper'] || process.env.CHAOS_DISABLE_COMPLETION_SWEEPER === '1',
    disableWebhooks: values['disable-webhooks'],
    keepData: values['keep-data'],
  };
  console.log(
    `chaos: ${options.payments} payments, ${options.kills} kill(s), seed ${options.seed}, completion sweeper ${options.disableCompletionSweeper ? 'OFF' : 'on'}, webhooks ${options.disableWebhooks ? 'OFF' : 'on'}`,
  );
  const report = await runChaos(options);
  const dir = resolve(__dirname, '..', 'reports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'chaos.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const violated = Object.entries(report.invariants).filter(([, ok]) => !ok);
  console.log(
    `chaos: ${report.payments} payments, ${report.kills} kill(s), ${Math.round(report.details.wallTimeMs / 1000)} s; report in reports/chaos.json`,
  );
  for (const [name, ok] of Object.entries(report.invariants))
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);
  for (const [name] of violated) {
    for (const example of report.details.violations[name as keyof typeof report.details.violations] ?? [])
      console.log(`       ${name}: ${example}`);
  }
  process.exit(violated.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error('chaos run failed:', error);
  process.exit(2);
});
