import { randomUUID } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { PaymentsClient, regionOfUrl, signRequest } from '../../client/src';
import type { SignedCallerKind } from '../../lib/trust-boundaries';
import { type Credentials, localPrincipals, signingRegion } from '../../local/runtime/sigv4';

/**
 * The e2e and integration tiers' HTTP: the payments API at `API_URL` through the typed client
 * (`client/`), and the PSP simulator's control routes at `PSP_URL` (both exported by the global setup).
 * API requests are SigV4-signed as the shop unless told otherwise: on the local stack with its
 * local principals, against a deployed stack (`E2E_BASE_URL`) with the usual AWS credentials.
 */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body, for byte-for-byte comparisons of replays. */
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  readonly json: any;
}

/** A signing caller: a caller kind, or `otherShop`, a second shop principal (not the orders' owner). */
export type ApiCaller = SignedCallerKind | 'otherShop';

export interface RequestOptions {
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Who signs: the shop (default), a second shop, the operator, or nobody. */
  readonly as?: ApiCaller | 'anonymous';
  /** Signs with a wrong secret for the caller's access key. */
  readonly forgeSignature?: boolean;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function apiUrl(): string {
  const url = process.env.API_URL;
  if (!url) throw new Error('API_URL is not set: run through the jest e2e/integration projects');
  return url.replace(/\/+$/, '');
}

/** The PSP simulator's base URL, or undefined against a deployed stack. */
export function pspUrl(): string | undefined {
  return process.env.PSP_URL?.replace(/\/+$/, '');
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpAnswer> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

const deployedCredentials = new Map<ApiCaller, () => Promise<Credentials>>();

/** The env variable naming a caller's AWS profile against a deployed stack. */
function profileVariable(caller: ApiCaller): string {
  return caller === 'otherShop' ? 'E2E_OTHER_SHOP_PROFILE' : `E2E_${caller.toUpperCase()}_PROFILE`;
}

function localCredentials(caller: ApiCaller): Credentials {
  const principals = localPrincipals(process.env);
  if (caller !== 'otherShop') return principals[caller];
  const other = principals.shops[1];
  if (!other) throw new Error('a second shop needs LOCAL_SHOP_CREDENTIALS with two id:secret pairs');
  return other;
}

/**
 * The credentials a caller signs with: a local principal, or against a deployed stack the AWS
 * default chain, with the named profile `E2E_SHOP_PROFILE` / `E2E_OTHER_SHOP_PROFILE` /
 * `E2E_OPERATOR_PROFILE` when set.
 */
export async function credentialsOf(caller: ApiCaller): Promise<Credentials> {
  if (!process.env.E2E_BASE_URL) return localCredentials(caller);
  let provider = deployedCredentials.get(caller);
  if (!provider) {
    const profile = process.env[profileVariable(caller)];
    provider = defaultProvider(profile ? { profile } : {});
    deployedCredentials.set(caller, provider);
  }
  return provider();
}

/** The principal a local caller kind is known by (`userArn`): the owner of the orders it creates. */
export function localPrincipalArn(caller: SignedCallerKind = 'shop'): string {
  return localPrincipals(process.env)[caller].userArn;
}

/** Whether shop and operator sign as different principals (always locally; deployed, given both profiles). */
export function callerKindsDistinct(): boolean {
  return (
    !process.env.E2E_BASE_URL || Boolean(process.env.E2E_SHOP_PROFILE && process.env.E2E_OPERATOR_PROFILE)
  );
}

/** The headers plus SigV4's (Authorization, X-Amz-Date, X-Amz-Content-Sha256) for this exact request. */
export function signedHeaders(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string | undefined,
  credentials: Credentials,
  signingDate = new Date(),
): Promise<Record<string, string>> {
  const region = regionOfUrl(url, signingRegion(process.env));
  return signRequest({ method, url, headers, body }, credentials, region, signingDate);
}

/**
 * A request to the API through the typed client (`client/`), signed as the caller, sent once: the
 * tiers assert what the API answers to each request, so the client's retries are off here.
 */
export async function api(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const caller = options.as ?? 'shop';
  if (caller === 'anonymous') return request(apiUrl(), method, path, options);
  const client = new PaymentsClient({
    baseUrl: apiUrl(),
    credentials: async () => {
      const credentials = await credentialsOf(caller);
      return options.forgeSignature ? forged(credentials) : credentials;
    },
  });
  const { status, headers, text, json } = await client.send({
    method,
    path,
    body: options.body,
    rawBody: options.rawBody,
    headers: options.headers,
    retry: { maxAttempts: 1 },
  });
  return { status, headers, text, json };
}

function forged(credentials: Credentials): Credentials {
  return { ...credentials, secretAccessKey: `${credentials.secretAccessKey}-forged` };
}

/** A fresh Idempotency-Key (valid: 6-64 characters of A-Z, a-z, 0-9, _ or -). */
export function newKey(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface CheckoutBody {
  readonly buyerId: string;
  readonly orderName: string;
  readonly currency: string;
  readonly items: readonly { sellerId: string; productId: string; amount: number }[];
}

/** A valid checkout of 10,000 KRW over two sellers. */
export function checkoutBody(overrides: Partial<CheckoutBody> = {}): CheckoutBody {
  return {
    buyerId: 'buyer-1',
    orderName: 'Two books',
    currency: 'KRW',
    items: [
      { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 },
      { sellerId: 'seller-b', productId: 'book-2', amount: 3_000 },
    ],
    ...overrides,
  };
}

export function postCheckout(key: string | undefined, body: unknown = checkoutBody()): Promise<HttpAnswer> {
  return api('POST', '/checkouts', { body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
}

/** Creates an order and returns its id and amount; fails loudly if the checkout is refused. */
export async function createOrder(
  body: CheckoutBody = checkoutBody(),
): Promise<{ orderId: string; amount: number }> {
  const answer = await postCheckout(newKey('order'), body);
  if (answer.status !== 201) throw new Error(`checkout refused: ${answer.status} ${answer.text}`);
  return { orderId: answer.json.orderId, amount: answer.json.amount };
}

export function postConfirm(body: unknown): Promise<HttpAnswer> {
  return api('POST', '/payments/confirm', { body });
}

export function postCancel(orderId: string, key: string | undefined, body: unknown): Promise<HttpAnswer> {
  return api('POST', `/payments/${encodeURIComponent(orderId)}/cancel`, {
    body,
    headers: key === undefined ? {} : { 'Idempotency-Key': key },
  });
}

export function getPayment(orderId: string): Promise<HttpAnswer> {
  return api('GET', `/payments/${encodeURIComponent(orderId)}`);
}

/** The PSP simulator's `/__sim/*` control routes (no auth). */
export const sim = {
  url(): string {
    const url = pspUrl();
    if (!url) throw new Error('PSP_URL is not set: the PSP simulator is only available on the local stack');
    return url;
  },

  /** Plays the buyer authenticating in the payment window: returns the paymentKey. */
  async session(orderId: string, amount: number): Promise<string> {
    const answer = await request(sim.url(), 'POST', '/__sim/sessions', { body: { orderId, amount } });
    if (answer.status !== 201) throw new Error(`sim session refused: ${answer.status} ${answer.text}`);
    return answer.json.paymentKey;
  },

  /** A virtual-account (가상계좌) session: the confirm issues an account; `depositInto` pays it. */
  async virtualAccountSession(orderId: string, amount: number): Promise<string> {
    const body = { orderId, amount, method: '가상계좌', customerName: '김토스' };
    const answer = await request(sim.url(), 'POST', '/__sim/sessions', { body });
    if (answer.status !== 201) throw new Error(`sim session refused: ${answer.status} ${answer.text}`);
    return answer.json.paymentKey;
  },

  /** What happens to a virtual account at the bank: a deposit, a deposit taken back, the due date passing. */
  async account(orderId: string, change: 'deposit' | 'deposit-error' | 'expire'): Promise<void> {
    const path = `/__sim/orders/${encodeURIComponent(orderId)}/${change}`;
    const answer = await request(sim.url(), 'POST', path);
    if (answer.status !== 200) throw new Error(`sim ${change} refused: ${answer.status} ${answer.text}`);
  },

  async scenario(orderId: string, actions: readonly string[]): Promise<void> {
    const answer = await request(sim.url(), 'POST', '/__sim/scenarios', { body: { orderId, actions } });
    if (answer.status !== 200) throw new Error(`sim scenario refused: ${answer.status} ${answer.text}`);
  },

  /** Stops the simulator's webhook deliveries; `webhooksOn` registers the local runtime's route again. */
  async webhooksOff(): Promise<void> {
    const answer = await request(sim.url(), 'DELETE', '/__sim/webhooks');
    if (answer.status !== 200) throw new Error(`sim webhooks not cleared: ${answer.status} ${answer.text}`);
  },

  /** Registers the local runtime's webhook route, for every event type unless `eventTypes` narrows it. */
  async webhooksOn(eventTypes?: readonly string[]): Promise<void> {
    const url = `${apiUrl()}/webhooks/toss`;
    const answer = await request(sim.url(), 'POST', '/__sim/webhooks', { body: { url, eventTypes } });
    if (answer.status !== 200) throw new Error(`sim webhook not registered: ${answer.status} ${answer.text}`);
  },

  /** How the settlement pages answer: each after `pageDelayMs`, with the data as of `asOf` (null: now). */
  async settlements(control: { pageDelayMs?: number; asOf?: string | null }): Promise<void> {
    const answer = await request(sim.url(), 'POST', '/__sim/settlements', { body: control });
    if (answer.status !== 200) throw new Error(`sim settlements refused: ${answer.status} ${answer.text}`);
  },

  /** The PSP-side truth of an order. */
  async truth(orderId: string): Promise<SimOrderTruth> {
    const answer = await request(sim.url(), 'GET', `/__sim/orders/${encodeURIComponent(orderId)}`);
    if (answer.status !== 200)
      throw new Error(`sim has no order ${orderId}: ${answer.status} ${answer.text}`);
    return answer.json as SimOrderTruth;
  },
};

export interface SimOrderTruth {
  readonly status: string;
  readonly paymentKey: string;
  readonly amount: number;
  readonly balanceAmount: number;
  readonly confirmCalls: number;
  readonly cancelCalls: number;
  readonly lookupCalls: number;
  /** Virtual-account orders: the account, and where its latest refund went. */
  readonly virtualAccount?: {
    readonly expired: boolean;
    readonly refundReceiveAccount: { bank: string; accountNumber: string; holderName: string } | null;
  };
}

/** Asserts the RFC 9457 problem shape of the contract and returns the parsed body. */
export function expectProblem(answer: HttpAnswer, status: number, code?: string): void {
  expect({ status: answer.status, contentType: answer.headers.get('content-type') }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  // A handler's problem names its request (`instance`); the front door's own refusals may not.
  const { instance, ...problem } = answer.json as Record<string, unknown>;
  expect(problem).toEqual({
    type: expect.any(String),
    title: expect.any(String),
    status,
    code: code ?? expect.any(String),
    detail: expect.any(String),
  });
  if (instance !== undefined) expect(instance).toEqual(expect.stringMatching(/^\S+$/));
}
