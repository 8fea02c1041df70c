import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { confirmUseCase } from '../application/confirm';
import { paymentStore, settings, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotencyStore, idempotent } from '../shared/idempotent';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { countPspUnavailable, paymentGateway } from '../shared/psp';
import { parseJsonBody } from '../shared/request';
import { confirmSchema } from '../shared/schemas';
import { countByStatus, telemetry } from '../shared/telemetry';

const observability = telemetry();

const confirm = idempotent(
  confirmUseCase({ store: paymentStore(), psp: paymentGateway(observability), clock: systemClock, settings }),
  {
    persistenceStore: idempotencyStore(),
    keyPath: 'orderId',
    validationPath: '[paymentKey, amount]',
    keyPrefix: 'confirm',
    expiresAfterSeconds: 24 * 3600,
  },
);

/** POST /payments/confirm — the idempotency key is the orderId. */
async function confirmHandler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const body = parseJsonBody(event, confirmSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  const result = countPspUnavailable(observability, await confirm(body.value, context));
  // Confirm outcome by HTTP status: 200 approved, 402 declined, 202 unknown (recovery settles it), 4xx refused.
  countByStatus(observability.metrics, 'ConfirmOutcome', result.statusCode);
  return result;
}

export const handler = observed(confirmHandler, observability, API_GATEWAY_REQUEST);
