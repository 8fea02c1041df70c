import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface OpsAnswer {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run ops -- <args>` as an operator runs it, with this process's environment (the test stack's endpoints). */
export function ops(...args: string[]): Promise<OpsAnswer> {
  return opsWithEnv({}, ...args);
}

/** The same, with some environment variables changed. */
export function opsWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<OpsAnswer> {
  const root = resolve(__dirname, '../..');
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'bin/ops.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}
