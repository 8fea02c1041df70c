import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as v from 'valibot';
import { type HttpOutcome, header, problemOutcome } from './http';

/** Far above any legitimate request of this API; stops abuse before JSON parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{6,64}$/;

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly outcome: HttpOutcome };

const badRequest = (code: string, title: string, detail: string): Parsed<never> => ({
  ok: false,
  outcome: problemOutcome({ status: 400, code, title, detail }),
});

/** valibot words a missing or an unknown field as an "Invalid key"; say which plainly. */
function describe(issue: v.BaseIssue<unknown>): string {
  if (issue.kind !== 'schema' || !issue.type.endsWith('object')) return issue.message;
  if (issue.expected === 'never') return 'unknown field';
  return issue.input === undefined ? 'required' : issue.message;
}

/**
 * The Idempotency-Key header: the IETF draft defines it as a structured-field string
 * (`Idempotency-Key: "8e03978e-40d5"`, RFC 8941), and plain `Idempotency-Key: 8e03978e-40d5` is
 * what most clients send; both name the same key. The key's alphabet has no quote or backslash, so
 * a quoted key has no escapes to undo.
 */
export function parseIdempotencyKey(event: APIGatewayProxyEvent): Parsed<string> {
  const sent = header(event, 'Idempotency-Key')?.trim();
  const key = sent && /^"[^"\\]*"$/.test(sent) ? sent.slice(1, -1) : sent;
  if (key === undefined || key === '') {
    return badRequest(
      'IDEMPOTENCY_KEY_MISSING',
      'Idempotency-Key header required',
      'Send a unique Idempotency-Key header (6-64 characters of A-Z, a-z, 0-9, _ or -).',
    );
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    return badRequest(
      'IDEMPOTENCY_KEY_INVALID',
      'Invalid Idempotency-Key header',
      'The Idempotency-Key must be 6-64 characters of A-Z, a-z, 0-9, _ or -, bare or as a quoted string.',
    );
  }
  return { ok: true, value: key };
}

export function parseJsonBody<S extends v.GenericSchema>(
  event: APIGatewayProxyEvent,
  schema: S,
): Parsed<v.InferOutput<S>> {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    return {
      ok: false,
      outcome: problemOutcome({
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        title: 'Request body too large',
        detail: `The request body must not exceed ${MAX_BODY_BYTES} bytes.`,
      }),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return badRequest('MALFORMED_JSON', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const detail = result.issues
      .slice(0, 5)
      .map((issue) => `${v.getDotPath(issue) ?? '(body)'}: ${describe(issue)}`)
      .join('; ');
    return badRequest('VALIDATION_FAILED', 'Invalid request body', detail);
  }
  return { ok: true, value: result.output };
}

/** A path parameter checked like a body field: ids that could never be stored are a 400. */
export function parsePathParameter(
  event: APIGatewayProxyEvent,
  name: string,
  schema: v.GenericSchema<string>,
): Parsed<string> {
  const result = v.safeParse(schema, event.pathParameters?.[name] ?? '');
  if (result.success) return { ok: true, value: result.output };
  const detail = result.issues[0]?.message ?? 'invalid value';
  return badRequest('INVALID_PATH_PARAMETER', `Invalid ${name}`, `${name}: ${detail}`);
}
