import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { cancelUseCase } from '../application/cancel';
import { fingerprintOf } from '../application/checkout';
import { callerPrincipal, scopedKey } from '../shared/caller';
import { idempotencyStore, paymentGateway, paymentStore, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotent } from '../shared/idempotent';
import { parseIdempotencyKey, parseJsonBody, pathParameter } from '../shared/request';
import { cancelSchema } from '../shared/schemas';

const useCase = cancelUseCase({ store: paymentStore(), psp: paymentGateway(), clock: systemClock });

const cancel = idempotent(
  (input: { key: string; fingerprint: string; command: Parameters<typeof useCase>[0] }, deadline) =>
    useCase(input.command, deadline),
  {
    persistenceStore: idempotencyStore(),
    keyPath: 'key',
    validationPath: 'fingerprint',
    keyPrefix: 'cancel',
    expiresAfterSeconds: 24 * 3600,
  },
);

/** POST /payments/{orderId}/cancel — one Idempotency-Key per cancel and caller. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const principal = callerPrincipal(event);
  if (!principal.ok) return toProxyResult(principal.outcome);
  const key = parseIdempotencyKey(event);
  if (!key.ok) return toProxyResult(key.outcome);
  const body = parseJsonBody(event, cancelSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  const orderId = pathParameter(event, 'orderId');
  // The PSP's cancel idempotency follows the same scope, so two callers' equal keys are two cancels.
  const callerKey = scopedKey(principal.value, key.value);
  const command = { orderId, idempotencyKey: callerKey, ...body.value };
  return cancel({ key: `${orderId}:${callerKey}`, fingerprint: fingerprintOf(body.value), command }, context);
}
