import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * What a use case answers, in a JSON-serialisable form: idempotency records store it
 * as is, so a replay returns the same status and the same body bytes.
 */
export interface HttpOutcome {
  readonly statusCode: number;
  readonly contentType: 'application/json' | 'application/problem+json';
  readonly body: string;
  /** `Retry-After` in seconds: the same request may succeed then (a request in flight). */
  readonly retryAfterSeconds?: number;
}

/** RFC 9457 problem details; `code` is the stable machine-readable reason. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
}

export function jsonOutcome(statusCode: number, body: unknown): HttpOutcome {
  return { statusCode, contentType: 'application/json', body: JSON.stringify(body) };
}

/**
 * A problem+json answer. `extensions` are members beside the standard ones (RFC 9457 §3.2), e.g. the
 * orderId of a decline; the problem's `type` follows `typeCode`, which defaults to `code`.
 */
export function problemOutcome(
  { status, code, title, detail }: Problem,
  options: {
    readonly extensions?: Record<string, unknown>;
    readonly typeCode?: string;
    readonly retryAfterSeconds?: number;
  } = {},
): HttpOutcome {
  const type = `urn:problem:payments:${(options.typeCode ?? code).toLowerCase()}`;
  return {
    statusCode: status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type, title, status, code, detail, ...options.extensions }),
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  };
}

const PROBLEM = 'application/problem+json';

/**
 * The problem's `instance`: the id of the request that met it (the Lambda request id, `@requestId`
 * in CloudWatch Logs Insights), so a caller's report leads to the log lines. A problem that already
 * names one keeps it: a stored answer replays its original request's id, byte for byte.
 */
export function withInstance(outcome: HttpOutcome, requestId: string): HttpOutcome {
  if (outcome.contentType !== PROBLEM) return outcome;
  const body = withInstanceMember(outcome.body, requestId);
  return body === outcome.body ? outcome : { ...outcome, body };
}

/** The same for a response already built (answers that never pass through an HttpOutcome). */
export function resultWithInstance(result: APIGatewayProxyResult, requestId: string): APIGatewayProxyResult {
  const contentType = Object.entries(result.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  if (contentType?.[1] !== PROBLEM) return result;
  return { ...result, body: withInstanceMember(result.body, requestId) };
}

function withInstanceMember(body: string, requestId: string): string {
  const problem = JSON.parse(body) as Record<string, unknown>;
  if (problem.instance !== undefined) return body;
  return JSON.stringify({ ...problem, instance: requestId });
}

export function toProxyResult(
  outcome: HttpOutcome,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const retryAfter: Record<string, string> =
    outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outcome.retryAfterSeconds) };
  return {
    statusCode: outcome.statusCode,
    headers: { 'Content-Type': outcome.contentType, ...retryAfter, ...headers },
    body: outcome.body,
  };
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
