import { resolve } from 'node:path';
import { JavaMissingError } from './runtime/java';
import { whenParentExits } from './runtime/parent-watch';
import { PortInUseError } from './runtime/ports';
import { choosePsp, PspChoiceError } from './runtime/psp-choice';
import { startLocalRuntime } from './runtime/runtime';

/**
 * A stop that has not finished after this long is forced (process exit: the servers' ports go
 * with the process, and DynamoDB Local's watchdog ends the JVM), so the whole stack is gone
 * within 10 s of Ctrl-C whatever state the emulators are in.
 */
const DEFAULT_STOP_DEADLINE_MS = 7000;
/** Signals closer together than this are one stop request, not a second "stop now". */
const SAME_SIGNAL_MS = 1000;

/** `npm start`: the whole system on this machine. `npm start -- --in-memory` keeps no data. */
async function main(): Promise<void> {
  const env = process.env;
  const root = resolve(__dirname, '..');
  const inMemory = process.argv.includes('--in-memory');
  const psp = choosePsp(env);
  const startedAt = Date.now();
  let shutdown: (why: string, exitCode?: number) => void = (why, exitCode = 1) => {
    console.error(why);
    process.exit(exitCode);
  };
  const runtime = await startLocalRuntime({
    root,
    apiPort: Number(env.PORT ?? 3000),
    pspPort: Number(env.PSP_SIM_PORT ?? 4010),
    dynamoPort: Number(env.DYNAMODB_PORT ?? 8000),
    sqsPort: Number(env.SQS_PORT ?? 9324),
    shopPort: Number(env.DEMO_SHOP_PORT ?? 3100),
    dataDir: inMemory ? undefined : resolve(root, env.LOCAL_DATA_DIR ?? '.local-data'),
    psp: psp.kind === 'external' ? { kind: 'external', baseUrl: psp.baseUrl } : { kind: 'simulator' },
    pspSecretKey: psp.secretKey,
    env,
    onFatal: (message) => {
      console.error(`[local] ${message}`);
      shutdown('emulator lost', 1);
    },
  });
  console.log(
    [
      `Payments local stack ready in ${Date.now() - startedAt} ms (${inMemory ? 'in memory' : 'data kept in .local-data'})`,
      `  Demo shop      ${runtime.shopUrl}  <- open it in a browser: buy, pay, refund`,
      `  API            ${runtime.apiUrl}`,
      psp.kind === 'external'
        ? `  PSP            ${runtime.pspUrl} (PSP_BASE_URL, ${psp.keyDescription}; simulator not started)`
        : `  PSP simulator  ${runtime.pspUrl}`,
      `  DynamoDB Local ${runtime.dynamoEndpoint}`,
      `  SQS            ${runtime.sqsEndpoint}`,
      `Sign API requests with SigV4 (service execute-api, region ${runtime.signingRegion}):`,
      ...runtime.principals.map(
        (p) => `  ${p.kind.padEnd(14)} ${p.accessKeyId} / ${p.secretAccessKey}  (${p.userArn})`,
      ),
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  const deadlineMs = Number(env.LOCAL_STOP_DEADLINE_MS ?? DEFAULT_STOP_DEADLINE_MS);
  let stoppingSince: number | undefined;
  shutdown = (why, exitCode = 0) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C can arrive twice (to the whole group, and relayed by the tsx launcher); a
      // second one a moment later is a user who does not want to wait.
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
      console.error(`${why} again: stopping now.`);
      runtime.kill();
      process.exit(exitCode || 1);
    }
    stoppingSince = Date.now();
    console.log(`\n${why}: stopping the local stack...`);
    setTimeout(() => {
      console.error(`[local] the local stack did not stop within ${deadlineMs} ms; forcing it.`);
      runtime.kill();
      process.exit(1);
    }, deadlineMs).unref();
    runtime.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        console.error('[local] stop failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // `npm start` runs this under a launcher (tsx); if that is killed outright, stop too.
  whenParentExits(() => shutdown('launcher exited'));
}

// Like separate Lambda sandboxes: one function's stray error must not stop every other function.
process.on('unhandledRejection', (reason) =>
  console.error('[local] unhandled rejection (still serving):', reason),
);
process.on('uncaughtException', (error) =>
  console.error('[local] uncaught exception (still serving):', error),
);

main().catch((error: unknown) => {
  if (
    error instanceof JavaMissingError ||
    error instanceof PortInUseError ||
    error instanceof PspChoiceError
  ) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error('Cannot start:', error);
  }
  process.exit(1);
});
