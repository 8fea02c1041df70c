import { createHash } from 'node:crypto';
import { classifyPspReply, type PspOperation } from '../../domain/psp-outcome';
import { DEFAULT_RETRY_POLICY, planNextAttempt, type RetryPolicy } from '../../domain/retry-policy';
import {
  type CancelRequest,
  type ConfirmRequest,
  type Deadline,
  MAX_SETTLEMENT_PAGE_SIZE,
  MIN_SETTLEMENT_TIMEOUT_MS,
  type PaymentGateway,
  type PspLookup,
  type PspPayment,
  type PspResult,
  type PspSettlementPage,
  type PspUnavailable,
  type PspUnknown,
  type SettlementGateway,
  type SettlementQuery,
} from '../../ports/psp';
import { parseTossError, parseTossPayment, parseTossSettlements } from './toss-schemas';

/** Compatible with the Powertools Logger. */
export interface GatewayLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface TossGatewayOptions {
  /** e.g. https://api.tosspayments.com, or the local PSP simulator. */
  readonly baseUrl: string;
  /** Called once per operation, so the handler can fetch (and cache) it from Secrets Manager lazily. */
  readonly secretKey: () => Promise<string>;
  /**
   * Limit for one attempt: connecting, sending, and reading the whole answer. Node's built-in fetch
   * offers no separate connect timeout without the undici package (its own default is 10 s), so this
   * one AbortSignal timeout bounds the connect phase too.
   */
  readonly requestTimeoutMs?: number;
  /** Limit for all attempts and backoff delays of one operation. */
  readonly retryBudgetMs?: number;
  /**
   * The same two limits for a settlements page, which Toss may take up to 60 s to answer: their
   * own, so the payment calls keep their short ones. At least MIN_SETTLEMENT_TIMEOUT_MS.
   */
  readonly settlementTimeoutMs?: number;
  readonly settlementRetryBudgetMs?: number;
  /** Time left to the caller after the PSP call, to record the outcome before the Lambda times out. */
  readonly safetyMarginMs?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly logger?: GatewayLogger;
  /** Told of every attempt's duration (PSP latency), whatever its answer. */
  readonly onAttempt?: (attempt: {
    readonly operation: TossRequest['operation'];
    readonly ms: number;
  }) => void;
}

interface TossRequest {
  readonly operation: 'confirm' | 'cancel' | 'findByOrderId' | 'settlements';
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

/**
 * One attempt's answer. `tossCode` is Toss's own code, absent when the body is not Toss's; `code`
 * names the answer either way (HTTP_403 for a proxy's page). Non-HTTP failures: TIMEOUT, NETWORK_ERROR.
 */
type Answer =
  | { readonly kind: 'success'; readonly body: unknown }
  | {
      readonly kind: 'error';
      readonly httpStatus: number;
      readonly tossCode: string | undefined;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'networkError'; readonly code: string; readonly message: string };

/** A final answer of the PSP, by how it reads. */
type Verdict<K extends string> = { readonly kind: K; readonly code: string; readonly message: string };

/** An operation's result after retries: how to read the PSP's final answer, or unknown. */
type CallResult =
  | Extract<Answer, { kind: 'success' }>
  | Verdict<'declined'>
  | Verdict<'conflict'>
  | Verdict<'lookUp'>
  | Verdict<'sessionNotFound'>
  | Verdict<'notFound'>
  | PspUnavailable
  | PspUnknown;

/** Settlements have no section of their own in Toss's error reference; read like a lookup. */
const CLASSIFIED_AS: Readonly<Record<TossRequest['operation'], PspOperation>> = {
  confirm: 'confirm',
  cancel: 'cancel',
  findByOrderId: 'lookup',
  settlements: 'lookup',
};

/** A payment Toss holds but has not been asked to approve (or has not approved) yet. */
const NOT_ACTED_STATUSES: ReadonlySet<string> = new Set(['READY', 'IN_PROGRESS']);

/**
 * Toss matches an Idempotency-Key on (key, secret key, URL, method), not on the body, and replays
 * the first answer for 15 days: one key per confirm attempt of one payment session, so a session
 * that replaced one Toss never knew is confirmed under a key of its own. At most 300 characters.
 */
export function confirmIdempotencyKey(orderId: string, paymentKey: string): string {
  const session = createHash('sha256').update(paymentKey).digest('base64url');
  return `confirm-${orderId}-${session}`;
}

/** How long one attempt may take, and all attempts of one operation together. */
interface CallLimits {
  readonly requestTimeoutMs: number;
  readonly retryBudgetMs: number;
}

export const DEFAULT_SETTLEMENT_TIMEOUT_MS = 90_000;
export const DEFAULT_SETTLEMENT_RETRY_BUDGET_MS = 300_000;

export class TossPaymentGateway implements PaymentGateway, SettlementGateway {
  private readonly baseUrl: string;
  /** The limits in force: the payment calls' and the settlement pages'. */
  readonly limits: { readonly payment: CallLimits; readonly settlement: CallLimits };
  private readonly safetyMarginMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly secretKey: () => Promise<string>;
  private readonly logger: GatewayLogger | undefined;
  private readonly onAttempt: TossGatewayOptions['onAttempt'];

  constructor(options: TossGatewayOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const payment = {
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      retryBudgetMs: options.retryBudgetMs ?? 20_000,
    };
    const settlementTimeoutMs = options.settlementTimeoutMs ?? DEFAULT_SETTLEMENT_TIMEOUT_MS;
    if (!(settlementTimeoutMs >= MIN_SETTLEMENT_TIMEOUT_MS)) {
      throw new RangeError(
        `the settlement timeout must be at least ${MIN_SETTLEMENT_TIMEOUT_MS} ms, got ${settlementTimeoutMs}`,
      );
    }
    const settlement = {
      requestTimeoutMs: settlementTimeoutMs,
      retryBudgetMs: Math.max(
        options.settlementRetryBudgetMs ?? DEFAULT_SETTLEMENT_RETRY_BUDGET_MS,
        settlementTimeoutMs,
      ),
    };
    this.limits = { payment, settlement };
    this.safetyMarginMs = options.safetyMarginMs ?? 3_000;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.secretKey = options.secretKey;
    this.logger = options.logger;
    this.onAttempt = options.onAttempt;
  }

  async confirm(request: ConfirmRequest, deadline: Deadline): Promise<PspResult> {
    const { paymentKey, orderId, amount } = request;
    const result = await this.call(
      {
        operation: 'confirm',
        method: 'POST',
        path: '/v1/payments/confirm',
        body: { paymentKey, orderId, amount },
        idempotencyKey: confirmIdempotencyKey(orderId, paymentKey),
      },
      deadline,
    );
    switch (result.kind) {
      case 'success':
        return this.asConfirmation(parseTossPayment(result.body), request);
      case 'conflict':
      case 'lookUp':
      case 'notFound':
        return this.resolveByLookup(request, result, deadline);
      default:
        return result;
    }
  }

  async cancel(request: CancelRequest, deadline: Deadline): Promise<PspResult> {
    const result = await this.call(
      {
        operation: 'cancel',
        method: 'POST',
        path: `/v1/payments/${encodeURIComponent(request.paymentKey)}/cancel`,
        body: {
          cancelReason: request.cancelReason,
          cancelAmount: request.cancelAmount,
          // Toss refuses (NOT_MATCHES_REFUNDABLE_AMOUNT) when its balance is not the one we hold.
          refundableAmount: request.refundableAmount,
        },
        idempotencyKey: request.idempotencyKey,
      },
      deadline,
    );
    switch (result.kind) {
      case 'success': {
        const payment = parseTossPayment(result.body);
        return payment ? { kind: 'approved', payment } : invalidResponse();
      }
      case 'conflict':
        return { ...result, kind: 'refused' };
      case 'lookUp':
      case 'notFound':
      case 'sessionNotFound':
        // Not a refusal we can read: the cancel may have been made, so its outcome is unknown.
        return unknown(result.code, result.message);
      default:
        return result;
    }
  }

  async findByOrderId(orderId: string, deadline: Deadline): Promise<PspLookup> {
    const result = await this.call(
      {
        operation: 'findByOrderId',
        method: 'GET',
        path: `/v1/payments/orders/${encodeURIComponent(orderId)}`,
      },
      deadline,
    );
    switch (result.kind) {
      case 'success': {
        const payment = parseTossPayment(result.body);
        return payment ? { kind: 'found', payment } : invalidResponse();
      }
      case 'notFound':
        return { kind: 'notFound' };
      case 'unknown':
        return result;
      default:
        // Only Toss's own "no such payment" proves absence; any other refusal (an auth error, a
        // proxy's 404 page) says nothing about the payment, and mistaking it would fail a paid order.
        return unknown(result.code, result.message);
    }
  }

  async settlements(query: SettlementQuery, deadline: Deadline): Promise<PspSettlementPage> {
    const { startDate, endDate, dateType, page, size } = query;
    if (!Number.isInteger(size) || size < 1 || size > MAX_SETTLEMENT_PAGE_SIZE) {
      throw new RangeError(`settlement page size must be 1-${MAX_SETTLEMENT_PAGE_SIZE}, got ${size}`);
    }
    const params = new URLSearchParams({
      startDate,
      endDate,
      dateType,
      page: String(page),
      size: String(size),
    });
    const result = await this.call(
      { operation: 'settlements', method: 'GET', path: `/v1/settlements?${params}` },
      deadline,
    );
    switch (result.kind) {
      case 'success': {
        const rows = parseTossSettlements(result.body);
        return rows ? { kind: 'page', rows } : invalidResponse('a list of Toss settlements');
      }
      case 'declined':
      case 'conflict':
      case 'lookUp':
      case 'notFound':
      case 'sessionNotFound':
        return { kind: 'declined', code: result.code, message: result.message };
      case 'unavailable':
        return unknown(result.code, result.message);
      case 'unknown':
        return result;
    }
  }

  /**
   * Toss's answer was no verdict on the payment (already processed, or unreadable): the payment's
   * own record at the PSP decides. If it shows the PSP has not acted (no payment, or a session still
   * waiting for its confirm), nothing happened and the order stays confirmable; anything else it
   * cannot explain leaves the outcome unknown.
   */
  private async resolveByLookup(
    request: ConfirmRequest,
    answer: Verdict<'conflict'> | Verdict<'lookUp'> | Verdict<'notFound'>,
    deadline: Deadline,
  ): Promise<PspResult> {
    const lookup = await this.findByOrderId(request.orderId, deadline);
    const notActed =
      lookup.kind === 'notFound' ||
      (lookup.kind === 'found' &&
        lookup.payment.paymentKey === request.paymentKey &&
        NOT_ACTED_STATUSES.has(lookup.payment.status));
    if (notActed && answer.kind !== 'conflict') {
      const where = lookup.kind === 'found' ? `its payment is ${lookup.payment.status}` : 'it has no payment';
      return { kind: 'unavailable', code: answer.code, message: `PSP answered ${answer.code}; ${where}` };
    }
    switch (lookup.kind) {
      case 'found':
        return this.asConfirmation(lookup.payment, request);
      case 'notFound':
        return unknown(answer.code, 'PSP reports the payment processed but has no record of it');
      case 'unknown':
        return lookup;
    }
  }

  /** Approved only if the PSP's payment is DONE and is the one we asked for, to the won. */
  private asConfirmation(payment: PspPayment | undefined, request: ConfirmRequest): PspResult {
    if (payment === undefined) return invalidResponse();
    const matches =
      payment.status === 'DONE' &&
      payment.orderId === request.orderId &&
      payment.paymentKey === request.paymentKey &&
      payment.totalAmount === request.amount;
    if (matches) return { kind: 'approved', payment };
    return unknown(
      'PSP_PAYMENT_MISMATCH',
      `PSP payment is ${payment.status} for ${payment.totalAmount}, expected DONE for ${request.amount}`,
    );
  }

  /** Runs one operation: attempts with backoff while the outcome is retryable and time allows. */
  private async call(request: TossRequest, deadline: Deadline): Promise<CallResult> {
    const startedAt = this.now();
    const limits = request.operation === 'settlements' ? this.limits.settlement : this.limits.payment;
    const budgetMs = Math.min(limits.retryBudgetMs, deadline.remainingMs() - this.safetyMarginMs);
    const authorization = await this.authorization(request);
    if (authorization === undefined) {
      return { kind: 'unavailable', code: 'PSP_NOT_CONFIGURED', message: 'the PSP secret key is not set' };
    }
    let last = { code: 'DEADLINE_TOO_CLOSE', message: 'not enough time left to call the PSP' };
    for (let attempt = 1; ; attempt += 1) {
      // Not calling at all is the safe choice when an answer could not be recorded in time.
      const remainingMs = budgetMs - (this.now() - startedAt);
      if (remainingMs < this.policy.minAttemptMs) {
        return this.giveUp(request, attempt - 1, last, 'BUDGET_EXHAUSTED');
      }

      const sentAt = this.now();
      const answer = await this.send(request, authorization, Math.min(limits.requestTimeoutMs, remainingMs));
      this.onAttempt?.({ operation: request.operation, ms: this.now() - sentAt });
      if (answer.kind === 'success') return answer;
      const outcome = classifyPspReply(
        CLASSIFIED_AS[request.operation],
        answer.kind === 'error' ? { ...answer, code: answer.tossCode } : answer,
      );
      if (outcome !== 'retryable' && outcome !== 'approved') {
        return { kind: outcome, code: answer.code, message: answer.message };
      }
      last = answer;
      const plan = planNextAttempt(
        { attempt, elapsedMs: this.now() - startedAt, budgetMs, random: this.random },
        this.policy,
      );
      if (!plan.retry) return this.giveUp(request, attempt, answer, plan.reason);
      this.logger?.warn('PSP call failed, retrying', {
        operation: request.operation,
        attempt,
        code: answer.code,
        delayMs: plan.delayMs,
      });
      await this.sleep(plan.delayMs);
    }
  }

  private giveUp(
    request: TossRequest,
    attempts: number,
    last: { code: string; message: string },
    reason: string,
  ): PspUnknown {
    this.logger?.warn('PSP outcome unknown', {
      operation: request.operation,
      attempts,
      code: last.code,
      reason,
    });
    return unknown(last.code, last.message);
  }

  private async send(request: TossRequest, authorization: string, timeoutMs: number): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: authorization };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.idempotencyKey !== undefined) headers['Idempotency-Key'] = request.idempotencyKey;
    try {
      const response = await this.fetch(`${this.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Reading the body is still under the same timeout signal.
      const body = parseJson(await response.text());
      if (response.ok) return { kind: 'success', body };
      const error = parseTossError(body);
      return error
        ? { kind: 'error', httpStatus: response.status, tossCode: error.code, ...error }
        : {
            kind: 'error',
            httpStatus: response.status,
            tossCode: undefined,
            code: `HTTP_${response.status}`,
            message: 'not a Toss error body',
          };
    } catch (error) {
      return networkError(error, timeoutMs);
    }
  }

  /** Basic auth per Toss: base64("<secretKey>:"). The key itself never leaves this method. */
  private async authorization(request: TossRequest): Promise<string | undefined> {
    try {
      const secretKey = await this.secretKey();
      return `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
    } catch (error) {
      this.logger?.warn('PSP secret key unavailable', {
        operation: request.operation,
        error: errorName(error),
      });
      return undefined;
    }
  }
}

function unknown(code: string, message: string): PspUnknown {
  return { kind: 'unknown', code, message };
}

function invalidResponse(expected = 'a Toss payment'): PspUnknown {
  return unknown('INVALID_PSP_RESPONSE', `PSP answered with a body that is not ${expected}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Only the error's name and low-level code are kept: fetch's messages can quote request header
 * values (an invalid Authorization header, say), and those must never reach a log.
 */
function networkError(error: unknown, timeoutMs: number): Answer {
  const name = errorName(error);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'networkError', code: 'TIMEOUT', message: `no answer within ${timeoutMs} ms` };
  }
  const causeCode = stringProperty(asRecord(error)?.cause, 'code');
  return {
    kind: 'networkError',
    code: 'NETWORK_ERROR',
    message: causeCode ? `${name} (${causeCode})` : name,
  };
}

/** Duck-typed rather than `instanceof Error`: DOMException and errors from other realms qualify too. */
function errorName(error: unknown): string {
  return stringProperty(error, 'name') ?? typeof error;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function stringProperty(value: unknown, key: string): string | undefined {
  const property = asRecord(value)?.[key];
  return typeof property === 'string' ? property : undefined;
}
