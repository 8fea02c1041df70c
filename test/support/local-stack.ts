import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '../../local/runtime/ports';

export interface LocalStackEndpoints {
  readonly apiUrl: string;
  readonly pspUrl: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
}

export interface StartedLocalStack extends LocalStackEndpoints {
  readonly process: ChildProcess;
  readonly readyMs: number;
}

/**
 * Starts `npm start -- --in-memory` as a user would (a child process on free ports, so
 * it never collides with a developer's running stack) and waits for its ready line.
 */
export async function startLocalStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<StartedLocalStack> {
  const root = resolve(__dirname, '../..');
  const [api, psp, dynamo, sqs] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts', '--in-memory'],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(api),
        PSP_SIM_PORT: String(psp),
        DYNAMODB_PORT: String(dynamo),
        SQS_PORT: String(sqs),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) ready();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.LOCAL_STACK_VERBOSE) process.stderr.write(chunk);
    });
    child.once('exit', (code) => fail(new Error(`local stack exited with ${code}:\n${output}`)));
    setTimeout(() => fail(new Error(`local stack not ready after 60 s:\n${output}`)), 60_000).unref();
  });
  return {
    process: child,
    readyMs: Date.now() - startedAt,
    apiUrl: `http://localhost:${api}`,
    pspUrl: `http://localhost:${psp}`,
    dynamoEndpoint: `http://127.0.0.1:${dynamo}`,
    sqsEndpoint: `http://127.0.0.1:${sqs}`,
  };
}

export async function stopLocalStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
