import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * What a use case answers, in a JSON-serialisable form: idempotency records store it
 * as is, so a replay returns the same status and the same body bytes.
 */
export interface HttpOutcome {
  readonly statusCode: number;
  readonly contentType: 'application/json' | 'application/problem+json';
  readonly body: string;
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

export function problemOutcome({ status, code, title, detail }: Problem): HttpOutcome {
  return {
    statusCode: status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: `urn:problem:payments:${code.toLowerCase()}`, title, status, code, detail }),
  };
}

export function toProxyResult(
  outcome: HttpOutcome,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: outcome.statusCode,
    headers: { 'Content-Type': outcome.contentType, ...headers },
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
