import { randomUUID } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { PaymentsApiError, PaymentsNetworkError, SettlementTimeoutError } from './errors';
import {
  DEFAULT_RETRY_POLICY,
  delayBeforeRetry,
  isRetryableAnswer,
  type RetryPolicy,
  retryAfterMs,
} from './retry';
import { type Credentials, type CredentialsProvider, regionOfUrl, signRequest } from './signing';
import type {
  CancelOutcome,
  CancelRequest,
  Checkout,
  CheckoutRequest,
  ConfirmOutcome,
  ConfirmRequest,
  Health,
  PaymentView,
  TrialBalance,
  Wallet,
} from './types';

export interface PaymentsClientOptions {
  /** The API's base URL: `http://localhost:3000` locally, `<API endpoint>/v1` deployed. */
  readonly baseUrl: string;
  /** Explicit keys or a provider; default: the AWS default chain (env, profile, SSO, container, instance). */
  readonly credentials?: Credentials | CredentialsProvider;
  /** Signing region; default: the one an execute-api host names, else AWS_REGION, else us-east-1. */
  readonly region?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** How long one attempt may take before it counts as a network error. Default 35 s. */
  readonly attemptTimeoutMs?: number;
  /** For tests: the jitter's randomness and the waits. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One request as sent, for callers that need the raw answer (the test tiers, tools). */
export interface RawRequest {
  readonly method: string;
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as the Idempotency-Key header, the same on every attempt. */
  readonly idempotencyKey?: string;
  /** Overrides the client's retry policy for this request; `{ maxAttempts: 1 }` sends once. */
  readonly retry?: Partial<RetryPolicy>;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body as received, for byte-for-byte comparisons of replays. */
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** Attempts it took. */
  readonly attempts: number;
}

export interface WaitOptions {
  /** Give up after this long (SettlementTimeoutError). Default 60 s. */
  readonly timeoutMs?: number;
  /** Between two reads. Default 250 ms. */
  readonly intervalMs?: number;
}

/** A fresh Idempotency-Key (the contract: 6-64 characters of A-Z, a-z, 0-9, _ or -). */
export function newIdempotencyKey(prefix = 'op'): string {
  return `${prefix}-${randomUUID()}`;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function field(json: unknown, name: string): string | undefined {
  const value = json && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The answer as a typed error: its problem+json when it has one. */
function toApiError(answer: RawAnswer): PaymentsApiError {
  const retryAfter = answer.headers.get('retry-after');
  return new PaymentsApiError(
    answer.status,
    field(answer.json, 'code') ?? `HTTP_${answer.status}`,
    field(answer.json, 'detail') ?? (answer.text.slice(0, 200) || `HTTP ${answer.status}`),
    field(answer.json, 'title') ?? '',
    field(answer.json, 'type') ?? 'about:blank',
    answer.text,
    retryAfter && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined,
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The payments API for a shop's (or an operator's) backend: one method per route, each request
 * SigV4-signed, one Idempotency-Key per logical operation reused on every retry, retries with
 * exponential backoff and full jitter on 409 IDEMPOTENCY_IN_PROGRESS / 429 / 503 / network errors
 * (honouring Retry-After), and problem+json answers thrown as PaymentsApiError.
 */
export class PaymentsClient {
  private readonly baseUrl: string;
  private readonly credentials: Credentials | CredentialsProvider;
  private readonly retry: RetryPolicy;
  private readonly region: string | undefined;
  private readonly attemptTimeoutMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PaymentsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials ?? defaultProvider();
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.region = options.region;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 35_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** POST /checkouts: a new order (the same one again for the same key). The key defaults to a fresh one. */
  async createCheckout(body: CheckoutRequest, options: { idempotencyKey?: string } = {}): Promise<Checkout> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey('checkout');
    return this.expect<Checkout>({ method: 'POST', path: '/checkouts', body, idempotencyKey }, [201]);
  }

  /**
   * POST /payments/confirm with what the PSP's success redirect carried. A decline and an outcome not
   * known yet are answers, not errors: look at `status` (SUCCESS, FAILURE or UNKNOWN).
   */
  async confirmPayment(body: ConfirmRequest): Promise<ConfirmOutcome> {
    const answer = await this.send({ method: 'POST', path: '/payments/confirm', body });
    if (answer.status === 200 || answer.status === 202) return answer.json as ConfirmOutcome;
    if (answer.status === 402)
      return {
        orderId: field(answer.json, 'orderId') ?? body.orderId,
        status: 'FAILURE',
        code: field(answer.json, 'code') ?? 'DECLINED',
        message: field(answer.json, 'message') ?? field(answer.json, 'detail'),
      };
    throw toApiError(answer);
  }

  /** GET /payments/{orderId}. */
  async getPayment(orderId: string): Promise<PaymentView> {
    return this.expect<PaymentView>(
      { method: 'GET', path: `/payments/${encodeURIComponent(orderId)}` },
      [200],
    );
  }

  /**
   * POST /payments/{orderId}/cancel, in full (no cancelAmount) or in part. Keep the Idempotency-Key of
   * a refund you may have to retry later (a 202, a crash): the same key never refunds twice.
   */
  async cancelPayment(
    orderId: string,
    body: CancelRequest,
    options: { idempotencyKey?: string } = {},
  ): Promise<CancelOutcome> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey('cancel');
    const path = `/payments/${encodeURIComponent(orderId)}/cancel`;
    return this.expect<CancelOutcome>({ method: 'POST', path, body, idempotencyKey }, [200, 202]);
  }

  /** GET /sellers/{sellerId}/wallet (operator). */
  async getWallet(sellerId: string): Promise<Wallet> {
    return this.expect<Wallet>(
      { method: 'GET', path: `/sellers/${encodeURIComponent(sellerId)}/wallet` },
      [200],
    );
  }

  /** GET /ledger/trial-balance (operator). */
  async getTrialBalance(): Promise<TrialBalance> {
    return this.expect<TrialBalance>({ method: 'GET', path: '/ledger/trial-balance' }, [200]);
  }

  /** GET /health (public, signed anyway). */
  async health(): Promise<Health> {
    return this.expect<Health>({ method: 'GET', path: '/health' }, [200]);
  }

  /**
   * Reads the payment until its latest event is applied by wallet and ledger (`done`), and returns
   * it; an UNKNOWN outcome is waited through as well, as recovery settles it.
   */
  async waitUntilSettled(orderId: string, options: WaitOptions = {}): Promise<PaymentView> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last: PaymentView | undefined;
    while (Date.now() < deadline) {
      last = await this.getPayment(orderId);
      if (last.done) return last;
      await this.sleep(options.intervalMs ?? 250);
    }
    throw new SettlementTimeoutError(orderId, last);
  }

  /** Any request, signed and retried like the others; answers whatever the API said, never throws on a status. */
  async send(request: RawRequest): Promise<RawAnswer> {
    const policy = { ...this.retry, ...request.retry };
    const url = new URL(`${this.baseUrl}${request.path}`);
    const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
    const headers: Record<string, string> = { ...request.headers };
    if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
    if (request.idempotencyKey !== undefined) headers['Idempotency-Key'] = request.idempotencyKey;
    const region = this.region ?? regionOfUrl(url, process.env.AWS_REGION || 'us-east-1');

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.maxAttempts;
      let answer: RawAnswer;
      try {
        // Signed per attempt: a retry much later must not carry a stale X-Amz-Date.
        const signed = await signRequest(
          { method: request.method, url, headers, body },
          this.credentials,
          region,
        );
        const response = await fetch(url, {
          method: request.method,
          headers: signed,
          body,
          signal: AbortSignal.timeout(this.attemptTimeoutMs),
        });
        const text = await response.text();
        answer = {
          status: response.status,
          headers: response.headers,
          text,
          json: parseJson(text),
          attempts: attempt,
        };
      } catch (error) {
        if (last)
          throw new PaymentsNetworkError(
            `${request.method} ${request.path}: no answer after ${attempt} attempt(s)`,
            error,
          );
        await this.sleep(delayBeforeRetry(policy, attempt, undefined, this.random));
        continue;
      }
      if (last || !isRetryableAnswer(answer.status, field(answer.json, 'code'))) return answer;
      const asked = retryAfterMs(answer.headers.get('retry-after'), Date.now());
      await this.sleep(delayBeforeRetry(policy, attempt, asked, this.random));
    }
  }

  private async expect<T>(request: RawRequest, statuses: readonly number[]): Promise<T> {
    const answer = await this.send(request);
    if (!statuses.includes(answer.status)) throw toApiError(answer);
    return answer.json as T;
  }
}
