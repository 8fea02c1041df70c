import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { confirmUseCase } from '../application/confirm';
import { callerPrincipal } from '../shared/caller';
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
    // Scoped per caller, so another principal's confirm never replays the owner's stored answer.
    keyPath: '[owner, orderId]',
    validationPath: '[paymentKey, amount]',
    keyPrefix: 'confirm',
    expiresAfterSeconds: 24 * 3600,
  },
);

/** POST /payments/confirm — the idempotency key is the orderId (per caller). */
async function confirmHandler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const principal = callerPrincipal(event);
  if (!principal.ok) return toProxyResult(principal.outcome);
  const body = parseJsonBody(event, confirmSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  const command = { ...body.value, owner: principal.value };
  const result = countPspUnavailable(observability, await confirm(command, context));
  // Confirm outcome by HTTP status: 200 approved, 402 declined, 202 unknown (recovery settles it), 4xx refused.
  countByStatus(observability.metrics, 'ConfirmOutcome', result.statusCode);
  return result;
}

export const handler = observed(confirmHandler, observability, API_GATEWAY_REQUEST);
