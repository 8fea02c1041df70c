import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '../../local/runtime/ports';

export interface LocalStackEndpoints {
  readonly apiUrl: string;
  readonly pspUrl: string;
  /** The demo shop `npm start` serves beside the API. */
  readonly shopUrl: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
}

export interface StartedLocalStack extends LocalStackEndpoints {
  readonly process: ChildProcess;
  readonly ports: LocalStackPorts;
  readonly readyMs: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

export interface LocalStackPorts {
  readonly api: number;
  readonly psp: number;
  readonly dynamo: number;
  readonly sqs: number;
}

export interface LocalStackOptions {
  /** Data folder kept across restarts; absent = `--in-memory`. */
  readonly dataDir?: string;
  /** Ports to listen on (e.g. the previous run's, for a restart); absent = free ones. */
  readonly ports?: LocalStackPorts;
  /** Its own process group, so the whole runtime (java included) can be killed at once. */
  readonly detached?: boolean;
}

/**
 * Starts `npm start -- --in-memory` as a user would (a child process on free ports, so
 * it never collides with a developer's running stack) and waits for its ready line.
 */
export async function startLocalStack(
  extraEnv: NodeJS.ProcessEnv = {},
  options: LocalStackOptions = {},
): Promise<StartedLocalStack> {
  const root = resolve(__dirname, '../..');
  const ports = options.ports ?? {
    api: await freePort(),
    psp: await freePort(),
    dynamo: await freePort(),
    sqs: await freePort(),
  };
  // The demo shop has no state: a free port of its own on every start, never a developer's 3100.
  const shopPort = await freePort();
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    [
      resolve(root, 'node_modules/tsx/dist/cli.mjs'),
      'local/start.ts',
      ...(options.dataDir ? [] : ['--in-memory']),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(ports.api),
        PSP_SIM_PORT: String(ports.psp),
        DYNAMODB_PORT: String(ports.dynamo),
        SQS_PORT: String(ports.sqs),
        DEMO_SHOP_PORT: String(shopPort),
        ...(options.dataDir ? { LOCAL_DATA_DIR: options.dataDir } : {}),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    },
  );
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.LOCAL_STACK_VERBOSE) process.stderr.write(chunk);
      if (output.includes('Press Ctrl-C to stop.')) ready();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.LOCAL_STACK_VERBOSE) process.stderr.write(chunk);
    });
    child.once('exit', (code) => fail(new Error(`local stack exited with ${code}:\n${output}`)));
    setTimeout(() => fail(new Error(`local stack not ready after 120 s:\n${output}`)), 120_000).unref();
  });
  return {
    process: child,
    ports,
    readyMs: Date.now() - startedAt,
    output: () => output,
    apiUrl: `http://localhost:${ports.api}`,
    pspUrl: `http://localhost:${ports.psp}`,
    shopUrl: `http://localhost:${shopPort}`,
    dynamoEndpoint: `http://127.0.0.1:${ports.dynamo}`,
    sqsEndpoint: `http://127.0.0.1:${ports.sqs}`,
  };
}

export async function stopLocalStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
