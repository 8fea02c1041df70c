import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { checkoutUseCase, fingerprintOf } from '../application/checkout';
import { callerPrincipal } from '../shared/caller';
import { paymentStore, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotencyStore, idempotent } from '../shared/idempotent';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { parseIdempotencyKey, parseJsonBody } from '../shared/request';
import { checkoutSchema } from '../shared/schemas';
import { orderIdSecret } from '../shared/secrets';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();

const checkout = idempotent(checkoutUseCase({ store: paymentStore(), clock: systemClock, orderIdSecret }), {
  persistenceStore: idempotencyStore(),
  // Scoped per caller: two shops may use the same key for different orders.
  keyPath: '[principal, idempotencyKey]',
  validationPath: 'fingerprint',
  keyPrefix: 'checkout',
  expiresAfterSeconds: 24 * 3600,
});

/** POST /checkouts */
async function checkoutHandler(
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> {
  const principal = callerPrincipal(event);
  if (!principal.ok) return toProxyResult(principal.outcome);
  const key = parseIdempotencyKey(event);
  if (!key.ok) return toProxyResult(key.outcome);
  const body = parseJsonBody(event, checkoutSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  return checkout(
    {
      principal: principal.value,
      idempotencyKey: key.value,
      fingerprint: fingerprintOf(body.value),
      request: body.value,
    },
    context,
  );
}

export const handler = observed(checkoutHandler, observability, API_GATEWAY_REQUEST);
