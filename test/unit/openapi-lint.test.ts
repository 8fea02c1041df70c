import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SPEC = 'docs/openapi.yaml';

/** Redocly CLI from devDependencies, offline: no telemetry, no update check. */
function redocly(...args: string[]) {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'redocly'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  if (run.error) throw run.error;
  return run;
}

describe('docs/openapi.yaml, linted by Redocly (recommended rules, redocly.yaml)', () => {
  test('has no error and no warning', () => {
    const run = redocly('lint', SPEC, '--format=json');
    const report = JSON.parse(run.stdout) as { totals: object; problems: { message: string }[] };
    expect({ totals: report.totals, problems: report.problems.map((p) => p.message) }).toEqual({
      totals: { errors: 0, warnings: 0, ignored: 0 },
      problems: [],
    });
    expect(run.status).toBe(0);
  });

  test('every operation declares the refusals the front door may answer (403, 429), all as problem+json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const bundled = join(dir, 'openapi.json');
      expect(redocly('bundle', SPEC, '--dereferenced', '--ext', 'json', '-o', bundled).status).toBe(0);
      type Response = { content?: Record<string, unknown> };
      const document = JSON.parse(readFileSync(bundled, 'utf8')) as {
        paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
      };
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, { responses }] of Object.entries(operations)) {
          const operation = `${method.toUpperCase()} ${path}`;
          expect({ operation, refusals: ['403', '429'].filter((code) => code in responses) }).toEqual({
            operation,
            refusals: ['403', '429'],
          });
          for (const [code, response] of Object.entries(responses)) {
            if (Number(code) < 400) continue;
            expect({ operation, code, types: Object.keys(response.content ?? {}) }).toEqual({
              operation,
              code,
              types: ['application/problem+json'],
            });
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
