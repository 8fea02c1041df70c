import { startLocalStack } from './local-stack';

const TWO_SHOPS = 'LOCALSHOPKEY:local-shop-secret,LOCALSHOPKEY2:local-shop-2-secret';

/**
 * Integration and e2e tiers share one local stack per run. Given `E2E_BASE_URL`, the
 * e2e suite targets that deployed API instead and starts nothing. Given `PSP_BASE_URL` (and
 * `PSP_SECRET_KEY`), the e2e tier's local stack calls that PSP (e.g. Toss's test mode) and the
 * tests that drive the simulator's `/__sim` control API are skipped (`PSP_URL` stays unset); the
 * integration tier always runs on the simulator.
 */
export default async function globalSetup(_: unknown, project: { displayName?: unknown }): Promise<void> {
  if (process.env.E2E_BASE_URL) {
    process.env.API_URL = process.env.E2E_BASE_URL;
    return;
  }
  const displayName = project.displayName as { name?: string } | string | undefined;
  const tier = typeof displayName === 'string' ? displayName : displayName?.name;
  const externalPsp = tier === 'e2e' && Boolean(process.env.PSP_BASE_URL?.trim());
  // Short PSP timeouts keep the timeout scenarios to seconds; the logic under test is the same.
  const stack = await startLocalStack({
    ...(externalPsp ? {} : { PSP_BASE_URL: '', PSP_REQUEST_TIMEOUT_MS: '1500', PSP_RETRY_BUDGET_MS: '5000' }),
    PSP_SIM_HANG_MS: '3000',
    // Scheduled jobs are tested in-process on their own tables; here they would only rewrite
    // other tests' payments underneath them (e.g. recovery settling an UNKNOWN one).
    SCHEDULE_RECOVERY_MS: '3600000',
    SCHEDULE_OUTBOX_SWEEPER_MS: '3600000',
    // Two shops (the first with the default keys), so order ownership is tested between principals.
    LOCAL_SHOP_CREDENTIALS: TWO_SHOPS,
    // The region local signatures must name; the test clients sign with the same one.
    AWS_REGION: 'us-east-1',
  });
  (globalThis as { localStack?: typeof stack }).localStack = stack;
  process.env.API_URL = stack.apiUrl;
  if (!externalPsp) process.env.PSP_URL = stack.pspUrl;
  process.env.SHOP_URL = stack.shopUrl;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = stack.dynamoEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = stack.sqsEndpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.LOCAL_SHOP_CREDENTIALS = TWO_SHOPS;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}
