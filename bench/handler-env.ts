import type { LocalStackEndpoints } from '../test/support/local-stack';

/**
 * The handler modules (lambdas/shared/composition.ts, its logger) read their configuration at
 * load, as in Lambda: every in-process measurement calls this before importing any of them.
 * The first import wins for module-scope state, so all callers set the same values.
 */
export function configureHandlerEnv(stack: LocalStackEndpoints): void {
  Object.assign(process.env, {
    PAYMENTS_TABLE: 'payments',
    IDEMPOTENCY_TABLE: 'idempotency',
    PSP_BASE_URL: stack.pspUrl,
    PSP_SECRET_KEY: process.env.PSP_SECRET_KEY ?? 'test_sk_local_simulator',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}
