/** Standalone PSP simulator: `npm run psp-sim`. */
import { startPspSimulator } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.PSP_SIM_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PSP_SIM_PORT must be a port number, got ${JSON.stringify(process.env.PSP_SIM_PORT)}`);
  }
  const simulator = await startPspSimulator({
    port,
    // 127.0.0.1 unless told: LocalStack's Lambda containers need 0.0.0.0 to reach it.
    host: process.env.PSP_SIM_HOST || undefined,
    secretKey: process.env.PSP_SECRET_KEY ?? 'test_sk_local_simulator',
  });
  console.log(`PSP simulator listening on ${simulator.url}`);

  const stop = () => {
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
