import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');

/** The client's types are generated from docs/openapi.yaml: a contract change without regenerating fails here. */
describe('client/src/openapi.ts', () => {
  it('is what openapi-typescript generates from docs/openapi.yaml today (run `npm run client:types`)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'client-types-'));
    try {
      const output = join(folder, 'openapi.ts');
      execFileSync(
        process.execPath,
        [
          join(root, 'node_modules/openapi-typescript/bin/cli.js'),
          join(root, 'docs/openapi.yaml'),
          '-o',
          output,
        ],
        { stdio: 'pipe' },
      );
      expect(readFileSync(output, 'utf8')).toBe(readFileSync(join(root, 'client/src/openapi.ts'), 'utf8'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
