import { resolve } from 'node:path';
import { JavaMissingError } from './runtime/java';
import { whenParentExits } from './runtime/parent-watch';
import { PortInUseError } from './runtime/ports';
import { startLocalRuntime } from './runtime/runtime';

/** `npm start`: the whole system on this machine. `npm start -- --in-memory` keeps no data. */
async function main(): Promise<void> {
  const env = process.env;
  const root = resolve(__dirname, '..');
  const inMemory = process.argv.includes('--in-memory');
  const startedAt = Date.now();
  const runtime = await startLocalRuntime({
    root,
    apiPort: Number(env.PORT ?? 3000),
    pspPort: Number(env.PSP_SIM_PORT ?? 4010),
    dynamoPort: Number(env.DYNAMODB_PORT ?? 8000),
    sqsPort: Number(env.SQS_PORT ?? 9324),
    shopPort: Number(env.DEMO_SHOP_PORT ?? 3100),
    dataDir: inMemory ? undefined : resolve(root, env.LOCAL_DATA_DIR ?? '.local-data'),
    pspSecretKey: env.PSP_SECRET_KEY ?? 'test_sk_local_simulator',
    env,
  });
  console.log(
    [
      `Payments local stack ready in ${Date.now() - startedAt} ms (${inMemory ? 'in memory' : 'data kept in .local-data'})`,
      `  Demo shop      ${runtime.shopUrl}  <- open it in a browser: buy, pay, refund`,
      `  API            ${runtime.apiUrl}`,
      `  PSP simulator  ${runtime.pspUrl}`,
      `  DynamoDB Local ${runtime.dynamoEndpoint}`,
      `  SQS            ${runtime.sqsEndpoint}`,
      `Sign API requests with SigV4 (service execute-api, region ${runtime.signingRegion}):`,
      ...runtime.principals.map(
        (p) => `  ${p.kind.padEnd(14)} ${p.accessKeyId} / ${p.secretAccessKey}  (${p.userArn})`,
      ),
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // `npm start` runs this under a launcher (tsx); if that is killed outright, stop too.
  whenParentExits(() => void shutdown('launcher exited'));
}

// Like separate Lambda sandboxes: one function's stray error must not stop every other function.
process.on('unhandledRejection', (reason) =>
  console.error('[local] unhandled rejection (still serving):', reason),
);
process.on('uncaughtException', (error) =>
  console.error('[local] uncaught exception (still serving):', error),
);

main().catch((error: unknown) => {
  if (error instanceof JavaMissingError || error instanceof PortInUseError) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error('Cannot start:', error);
  }
  process.exit(1);
});
