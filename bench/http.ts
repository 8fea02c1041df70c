import { randomUUID } from 'node:crypto';
import { credentialsOf, signedHeaders } from '../test/support/http-client';

/** The few HTTP calls the bench makes against the local stack (signed as the shop) and its PSP simulator. */

export interface Answer {
  readonly status: number;
  readonly text: string;
}

export interface AuthorizedOrder {
  readonly orderId: string;
  readonly amount: number;
  readonly paymentKey: string;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** A call to the payments API, SigV4-signed with the local shop principal. */
async function callApi(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer> {
  const json = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signedHeaders(
    method,
    new URL(url),
    json === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    json,
    await credentialsOf('shop'),
  );
  const response = await fetch(url, { method, headers: signed, body: json });
  return { status: response.status, text: await response.text() };
}

function parsed<T>(answer: Answer, expected: number, what: string): T {
  if (answer.status !== expected) throw new Error(`${what} answered ${answer.status}: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

const CHECKOUT = {
  buyerId: 'bench-buyer',
  orderName: 'Bench order',
  currency: 'KRW',
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
  const answer = await callApi('POST', `${apiUrl}/checkouts`, checkoutOf(lines), {
    'Idempotency-Key': `bench-${randomUUID()}`,
  });
  return parsed(answer, 201, 'POST /checkouts');
}

/** The buyer authenticating at the PSP simulator: yields the paymentKey of the success redirect. */
export async function pspSession(pspUrl: string, orderId: string, amount: number): Promise<string> {
  const answer = await postJson(`${pspUrl}/__sim/sessions`, { orderId, amount });
  return parsed<{ paymentKey: string }>(answer, 201, 'POST /__sim/sessions').paymentKey;
}

export async function authorizedOrder(
  apiUrl: string,
  pspUrl: string,
  lines?: number,
): Promise<AuthorizedOrder> {
  const order = await checkout(apiUrl, lines);
  return { ...order, paymentKey: await pspSession(pspUrl, order.orderId, order.amount) };
}

export function postConfirm(apiUrl: string, order: AuthorizedOrder): Promise<Answer> {
  const { orderId, amount, paymentKey } = order;
  return callApi('POST', `${apiUrl}/payments/confirm`, { orderId, amount, paymentKey });
}

/** The part of GET /payments/{orderId} the bench reads. */
export interface PaymentView {
  readonly status: string;
  readonly walletSettled: boolean;
  readonly ledgerRecorded: boolean;
  readonly done: boolean;
}

export async function getPayment(apiUrl: string, orderId: string): Promise<PaymentView> {
  const answer = await callApi('GET', `${apiUrl}/payments/${encodeURIComponent(orderId)}`);
  return parsed<PaymentView>(answer, 200, 'GET /payments');
}
