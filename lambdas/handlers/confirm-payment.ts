import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { confirmUseCase } from '../application/confirm';
import { idempotencyStore, paymentGateway, paymentStore, settings, systemClock } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { idempotent } from '../shared/idempotent';
import { countPspUnavailable } from '../shared/observability';
import { parseJsonBody } from '../shared/request';
import { confirmSchema } from '../shared/schemas';

const confirm = idempotent(
  confirmUseCase({ store: paymentStore(), psp: paymentGateway(), clock: systemClock, settings }),
  {
    persistenceStore: idempotencyStore(),
    keyPath: 'orderId',
    validationPath: '[paymentKey, amount]',
    keyPrefix: 'confirm',
    expiresAfterSeconds: 24 * 3600,
  },
);

/** POST /payments/confirm — the idempotency key is the orderId. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const body = parseJsonBody(event, confirmSchema);
  if (!body.ok) return toProxyResult(body.outcome);
  return countPspUnavailable(await confirm(body.value, context));
}
