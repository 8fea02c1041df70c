import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { cancelUseCase } from '../application/cancel';
import { fingerprintOf } from '../application/checkout';
import { scopedKey, signedCaller } from '../shared/caller';
import { paymentStore, settings, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotencyStore, idempotent } from '../shared/idempotent';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { countPspUnavailable, paymentGateway } from '../shared/psp';
import { parseIdempotencyKey, parseJsonBody, parsePathParameter } from '../shared/request';
import { cancelSchema, orderIdSchema } from '../shared/schemas';
import { countByStatus, telemetry } from '../shared/telemetry';

const observability = telemetry();
const useCase = cancelUseCase({
  store: paymentStore(),
  psp: paymentGateway(observability),
  clock: systemClock,
  settings,
});

const cancel = idempotent(
  (input: { key: string; fingerprint: string; command: Parameters<typeof useCase>[0] }, deadline) =>
    useCase(input.command, deadline),
  {
    persistenceStore: idempotencyStore(),
    keyPath: 'key',
    validationPath: 'fingerprint',
    keyPrefix: 'cancel',
    // At least the PSP's own key window (Toss keeps cancel keys 15 days).
    expiresAfterSeconds: 15 * 24 * 3600,
  },
);

/** POST /payments/{orderId}/cancel — one Idempotency-Key per cancel and caller. */
async function cancelHandler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const caller = signedCaller(event);
  if (!caller.ok) return toProxyResult(caller.outcome);
  const orderId = parsePathParameter(event, 'orderId', orderIdSchema);
  if (!orderId.ok) return toProxyResult(orderId.outcome);
  const key = parseIdempotencyKey(event);
  if (!key.ok) return toProxyResult(key.outcome);
  const body = parseJsonBody(event, cancelSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  // The PSP's cancel idempotency follows the same scope, so two callers' equal keys are two cancels.
  const callerKey = scopedKey(caller.value.principal, key.value);
  const command = { orderId: orderId.value, caller: caller.value, idempotencyKey: callerKey, ...body.value };
  const result = countPspUnavailable(
    observability,
    await cancel(
      { key: `${orderId.value}:${callerKey}`, fingerprint: fingerprintOf(body.value), command },
      context,
    ),
  );
  countByStatus(observability.metrics, 'CancelOutcome', result.statusCode);
  return result;
}

export const handler = observed(cancelHandler, observability, API_GATEWAY_REQUEST);
