import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { cancelUseCase } from '../application/cancel';
import { fingerprintOf } from '../application/checkout';
import { idempotencyStore, paymentGateway, paymentStore, settings, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotent } from '../shared/idempotent';
import { countPspUnavailable } from '../shared/observability';
import { parseIdempotencyKey, parseJsonBody, parsePathParameter } from '../shared/request';
import { cancelSchema, orderIdSchema } from '../shared/schemas';

const useCase = cancelUseCase({ store: paymentStore(), psp: paymentGateway(), clock: systemClock, settings });

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

/** POST /payments/{orderId}/cancel — one Idempotency-Key per cancel. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const orderId = parsePathParameter(event, 'orderId', orderIdSchema);
  if (!orderId.ok) return toProxyResult(orderId.outcome);
  const key = parseIdempotencyKey(event);
  if (!key.ok) return toProxyResult(key.outcome);
  const body = parseJsonBody(event, cancelSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  const command = { orderId: orderId.value, idempotencyKey: key.value, ...body.value };
  return countPspUnavailable(
    await cancel(
      { key: `${orderId.value}:${key.value}`, fingerprint: fingerprintOf(body.value), command },
      context,
    ),
  );
}
