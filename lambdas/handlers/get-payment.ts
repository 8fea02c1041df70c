import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPaymentUseCase } from '../application/get-payment';
import { signedCaller } from '../shared/caller';
import { paymentStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { parsePathParameter } from '../shared/request';
import { orderIdSchema } from '../shared/schemas';
import { telemetry } from '../shared/telemetry';

const getPayment = getPaymentUseCase({ store: paymentStore() });

/** GET /payments/{orderId} */
async function getPaymentHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const caller = signedCaller(event);
  if (!caller.ok) return toProxyResult(caller.outcome);
  const orderId = parsePathParameter(event, 'orderId', orderIdSchema);
  if (!orderId.ok) return toProxyResult(orderId.outcome);
  return toProxyResult(await getPayment(orderId.value, caller.value));
}

export const handler = observed(getPaymentHandler, telemetry(), API_GATEWAY_REQUEST);
