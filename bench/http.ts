import { PaymentsClient, type PaymentView } from '../client/src';
import { credentialsOf } from '../test/support/http-client';

/** The few HTTP calls the bench makes against the local stack (through the typed client, as the shop) and its PSP simulator. */

export interface Answer {
  readonly status: number;
  readonly text: string;
}

export interface AuthorizedOrder {
  readonly orderId: string;
  readonly amount: number;
  readonly paymentKey: string;
}

const clients = new Map<string, PaymentsClient>();

function shopClient(apiUrl: string): PaymentsClient {
  let client = clients.get(apiUrl);
  if (!client) {
    client = new PaymentsClient({ baseUrl: apiUrl, credentials: () => credentialsOf('shop') });
    clients.set(apiUrl, client);
  }
  return client;
}

async function postJson(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const CHECKOUT = {
  buyerId: 'bench-buyer',
  orderName: 'Bench order',
  currency: 'KRW' as const,
  items: [
    { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 },
    { sellerId: 'seller-b', productId: 'book-2', amount: 3_000 },
  ],
};

/** An order of `lines` lines (the contract allows 50) over five sellers. */
function checkoutOf(lines: number) {
  if (lines === CHECKOUT.items.length) return CHECKOUT;
  const items = Array.from({ length: lines }, (_, k) => ({
    sellerId: `seller-${k % 5}`,
    productId: `product-${String(k).padStart(4, '0')}`,
    amount: 1_000,
  }));
  return { ...CHECKOUT, items };
}

/** POST /checkouts with a fresh Idempotency-Key; two lines unless told. */
export async function checkout(
  apiUrl: string,
  lines = CHECKOUT.items.length,
): Promise<{ orderId: string; amount: number }> {
  const { orderId, amount } = await shopClient(apiUrl).createCheckout(checkoutOf(lines));
  return { orderId, amount };
}

/** The buyer authenticating at the PSP simulator: yields the paymentKey of the success redirect. */
export async function pspSession(pspUrl: string, orderId: string, amount: number): Promise<string> {
  const answer = await postJson(`${pspUrl}/__sim/sessions`, { orderId, amount });
  if (answer.status !== 201)
    throw new Error(`POST /__sim/sessions answered ${answer.status}: ${answer.text}`);
  return (JSON.parse(answer.text) as { paymentKey: string }).paymentKey;
}

export async function authorizedOrder(
  apiUrl: string,
  pspUrl: string,
  lines?: number,
): Promise<AuthorizedOrder> {
  const order = await checkout(apiUrl, lines);
  return { ...order, paymentKey: await pspSession(pspUrl, order.orderId, order.amount) };
}

/** One confirm, sent once: the bench counts and times what each request was answered. */
export async function postConfirm(apiUrl: string, order: AuthorizedOrder): Promise<Answer> {
  const { orderId, amount, paymentKey } = order;
  const { status, text } = await shopClient(apiUrl).send({
    method: 'POST',
    path: '/payments/confirm',
    body: { orderId, amount, paymentKey },
    retry: { maxAttempts: 1 },
  });
  return { status, text };
}

export function getPayment(apiUrl: string, orderId: string): Promise<PaymentView> {
  return shopClient(apiUrl).getPayment(orderId);
}
