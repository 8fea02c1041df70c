import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPaymentUseCase } from '../application/get-payment';
import { paymentStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { parsePathParameter } from '../shared/request';
import { orderIdSchema } from '../shared/schemas';

const getPayment = getPaymentUseCase({ store: paymentStore() });

/** GET /payments/{orderId} */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const orderId = parsePathParameter(event, 'orderId', orderIdSchema);
  if (!orderId.ok) return toProxyResult(orderId.outcome);
  return toProxyResult(await getPayment(orderId.value));
}
