import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { checkoutUseCase, fingerprintOf } from '../application/checkout';
import { callerPrincipal } from '../shared/caller';
import { idempotencyStore, orderIdSecret, paymentStore, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotent } from '../shared/idempotent';
import { parseIdempotencyKey, parseJsonBody } from '../shared/request';
import { checkoutSchema } from '../shared/schemas';

const checkout = idempotent(checkoutUseCase({ store: paymentStore(), clock: systemClock, orderIdSecret }), {
  persistenceStore: idempotencyStore(),
  // Scoped per caller: two shops may use the same key for different orders.
  keyPath: '[principal, idempotencyKey]',
  validationPath: 'fingerprint',
  keyPrefix: 'checkout',
  expiresAfterSeconds: 24 * 3600,
});

/** POST /checkouts */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
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
