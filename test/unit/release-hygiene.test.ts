import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  license: string;
  scripts: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { license?: string }> };

describe('release hygiene', () => {
  test('an OSI licence: LICENSE is MIT, and package.json and the lock say so', () => {
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
    expect(pkg.license).toBe('MIT');
    expect(lock.packages['']?.license).toBe('MIT');
  });

  test('SECURITY.md says how to report privately; CHANGELOG.md has an Unreleased section', () => {
    expect(read('SECURITY.md')).toMatch(/## Reporting a vulnerability[\s\S]*privately/);
    expect(read('CHANGELOG.md')).toMatch(/^## \[Unreleased\]$/m);
  });

  test('deploy and diff are npm scripts over both stacks', () => {
    expect(pkg.scripts.deploy).toBe('cdk deploy --all');
    expect(pkg.scripts.diff).toBe('cdk diff --all');
  });

  test('README: no dangling promise of output, wallets are said to settle asynchronously, LocalStack steps are complete', () => {
    const readme = read('README.md');
    // A sentence that promises output must not end in a colon followed by nothing.
    expect(readme).not.toMatch(/It prints the URLs[^\n]*:\n\n(?!```)/);
    expect(readme).toMatch(/walletSettled: false/);
    const localstack = readme.slice(readme.indexOf('### LocalStack'), readme.indexOf('### Teardown'));
    expect(localstack).toMatch(/localstack\/localstack:\d{4}\.\d{2}\.\d+/);
    expect(localstack).toContain('PSP_SIM_HOST=0.0.0.0');
    expect(localstack).toContain('secretsmanager put-secret-value');
    expect(localstack).toContain('lstk');
    expect(existsSync(join(ROOT, 'redocly.yaml'))).toBe(true);
  });
});
