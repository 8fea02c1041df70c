import { type StartedLocalStack, startLocalStack, stopLocalStack } from '../test/support/local-stack';
import { groupAlive, portsHeld } from '../test/support/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a `kill -9` left behind once the dust settled. */
export interface KillResult {
  /** Processes of the runtime's group (java included) still alive 10 s after the kill. */
  readonly groupLeft: boolean;
  /** Something (an orphaned DynamoDB Local) still holds one of the runtime's ports. */
  readonly portsHeld: readonly number[];
}

/**
 * The local runtime as a child in its own process group on a persistent data folder: started,
 * killed whole with SIGKILL (the parent, tsx's child and java alike), restarted on the same ports
 * and data. The payments API and simulator URLs go to the environment the HTTP client reads.
 */
export class ChaosRuntime {
  private stack?: StartedLocalStack;

  constructor(
    private readonly dataDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<number> {
    const stack = await startLocalStack(this.env, {
      dataDir: this.dataDir,
      ports: this.stack?.ports,
      detached: true,
    });
    this.stack = stack;
    process.env.API_URL = stack.apiUrl;
    process.env.PSP_URL = stack.pspUrl;
    return stack.readyMs;
  }

  get endpoints(): StartedLocalStack {
    if (!this.stack) throw new Error('the chaos runtime was never started');
    return this.stack;
  }

  /** `kill -9` of the whole process group, then waits for every process and port to be gone. */
  async kill9(): Promise<KillResult> {
    const { process: child, ports } = this.endpoints;
    const pgid = child.pid;
    if (pgid === undefined) throw new Error('the runtime has no pid');
    process.kill(-pgid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
    let held = [ports.api, ports.psp, ports.dynamo, ports.sqs];
    while (Date.now() < deadline) {
      held = await portsHeld(ports);
      if (held.length === 0) break;
      await sleep(100);
    }
    return { groupLeft: groupAlive(pgid), portsHeld: held };
  }

  /** A graceful stop at the end (SIGTERM to the runtime), then SIGKILL to anything left in its group. */
  async stop(): Promise<void> {
    if (!this.stack) return;
    const { process: child } = this.stack;
    if (child.exitCode === null && child.signalCode === null) await stopLocalStack(child);
    if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  }
}
