import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPaymentUseCase } from '../application/get-payment';
import { paymentStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { pathParameter } from '../shared/request';
import { telemetry } from '../shared/telemetry';

const getPayment = getPaymentUseCase({ store: paymentStore() });

/** GET /payments/{orderId} */
async function getPaymentHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return toProxyResult(await getPayment(pathParameter(event, 'orderId')));
}

export const handler = observed(getPaymentHandler, telemetry(), API_GATEWAY_REQUEST);
