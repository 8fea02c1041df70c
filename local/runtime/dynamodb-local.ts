import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertJava } from './java';
import { waitForPort } from './ports';

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The official DynamoDB Local jar ships inside the npm package amplify-dynamodb-simulator. */
function emulatorDirectory(): string {
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export async function startDynamoDbLocal(opts: { port: number; dataDir?: string }): Promise<DynamoDbLocal> {
  assertJava();
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(opts.port),
  ];
  // -sharedDb: one database whatever region or access key a client signs with.
  args.push('-sharedDb');
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', opts.dataDir);
  } else {
    args.push('-inMemory');
  }
  // Under a watchdog (this same TypeScript runtime, minus any inspector flag) that ends the JVM
  // when this process is gone, however it ended.
  const node = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  const java = spawn(process.execPath, [...node, join(__dirname, 'watchdog.ts'), 'java', ...args], {
    cwd: emulatorDirectory(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    java.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}: ${stderr}`))),
  );
  try {
    // A JVM start takes seconds, and far longer on a busy 2-core machine.
    await Promise.race([waitForPort(opts.port, 90_000), exited]);
  } catch (error) {
    await terminate(java);
    throw error;
  }
  exited.catch(() => undefined);
  return { endpoint: `http://127.0.0.1:${opts.port}`, stop: () => terminate(java) };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}
