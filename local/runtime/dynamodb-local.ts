import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertJava } from './java';
import { waitForPort } from './ports';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** Whether its data outlives the JVM (a data folder), so a restart finds it again. */
  readonly persistent: boolean;
  /** Called when the JVM ends by itself (killed, crashed), not through stop() or restart(). */
  onUnexpectedExit(listener: (reason: string) => void): void;
  /** Ends the JVM if it still runs (even a hung one) and starts a new one on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL to the JVM and its watchdog, now: the last resort of a stop that did not finish. */
  kill(): void;
}

/** The official DynamoDB Local jar ships inside the npm package amplify-dynamodb-simulator. */
function emulatorDirectory(): string {
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** A JVM start takes seconds, and far longer on a busy 2-core machine. */
const START_TIMEOUT_MS = 90_000;

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

  const listeners: ((reason: string) => void)[] = [];
  let current: Jvm | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const jvm = spawnUnderWatchdog(args);
    const { exited } = jvm;
    current = jvm;
    try {
      await Promise.race([waitForPort(opts.port, START_TIMEOUT_MS), exited]);
    } catch (error) {
      await terminate(jvm);
      const { message, stderr } = error as Error & { stderr?: string };
      throw new Error(`DynamoDB Local ${message}${stderr ? `: ${stderr}` : ''}`);
    }
    exited.catch((error: Error) => {
      // Only the JVM we run now counts: one replaced by restart() or ended by stop() is expected.
      if (current !== jvm || stopped) return;
      for (const listener of listeners) listener(error.message);
    });
  };

  await launch();
  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    persistent: opts.dataDir !== undefined,
    onUnexpectedExit: (listener) => listeners.push(listener),
    restart: async () => {
      const previous = current;
      current = undefined;
      if (previous) await terminate(previous);
      if (stopped) return;
      await launch();
    },
    stop: async () => {
      stopped = true;
      if (current) await terminate(current);
    },
    kill: () => {
      stopped = true;
      if (current) killOutright(current);
    },
  };
}

interface Jvm {
  /** The watchdog process. */
  readonly child: ChildProcess;
  /** The JVM's own pid, once the watchdog has said it. */
  jvmPid?: number;
  readonly exited: Promise<never>;
}

/**
 * Under a watchdog (this same TypeScript runtime, minus any inspector flag) that ends the JVM
 * when this process is gone, however it ended. `exited` rejects when the JVM's watchdog exits.
 */
function spawnUnderWatchdog(args: readonly string[]): Jvm {
  const node = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  const child = spawn(process.execPath, [...node, join(__dirname, 'watchdog.ts'), 'java', ...args], {
    cwd: emulatorDirectory(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.channel?.unref();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // What it printed matters only when it never came up (a bad flag, a locked data folder).
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `code ${code}`;
      reject(Object.assign(new Error(`exited (${how})`), { stderr: stderr.trim() }));
    }),
  );
  exited.catch(() => undefined);
  const jvm: Jvm = { child, exited };
  child.on('message', (message: { commandPid?: unknown }) => {
    if (typeof message.commandPid === 'number') jvm.jvmPid = message.commandPid;
  });
  return jvm;
}

function killOutright(jvm: Jvm): void {
  for (const pid of [jvm.jvmPid, jvm.child.pid]) {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * SIGTERM to the watchdog, which passes it on to the JVM and SIGKILLs it after its grace period
 * (a hung or stopped JVM included). If the watchdog has not ended by then (it may be stuck too),
 * both get SIGKILL from here.
 */
async function terminate(jvm: Jvm): Promise<void> {
  const { child } = jvm;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => killOutright(jvm), 3000);
  await gone;
  clearTimeout(timer);
}
