import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getPaymentUseCase } from '../application/get-payment';
import { paymentStore } from '../shared/composition';
import { toProxyResult } from '../shared/http';
import { pathParameter } from '../shared/request';

const getPayment = getPaymentUseCase({ store: paymentStore() });

/** GET /payments/{orderId} */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return toProxyResult(await getPayment(pathParameter(event, 'orderId')));
}
