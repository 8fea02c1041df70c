import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type Problem, problemOutcome, toProxyResult } from '../../lambdas/shared/http';
import type { HttpTrigger } from '../../lib/topology';
import { authorizeCaller, type CallerAccess, type CallerAuthConfig, gatewayRefusal } from './caller-auth';
import type { LocalFunction } from './functions';
import { quietLog } from './quiet-log';

/** API Gateway's payload limit is 10 MB; far above anything this API accepts. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Which emulators are down now, `[name, why]` (the runtime's EmulatorWatch). */
export interface EmulatorStatus {
  downNow(): readonly [string, string][];
}

/** The local front door's own errors besides the gateway refusals, in the contract's problem+json. */
const LOCAL_PROBLEMS = {
  BAD_REQUEST: {
    status: 400,
    code: 'BAD_REQUEST',
    title: 'Bad request',
    detail: 'The request target or a path parameter is not valid percent-encoding.',
  },
  INTEGRATION_FAILURE: {
    status: 502,
    code: 'INTEGRATION_FAILURE',
    title: 'Internal server error',
    detail: 'The function behind this route failed or answered something that is not an HTTP response.',
  },
} satisfies Record<string, Problem>;

function problem(body: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return toProxyResult(problemOutcome(body), headers);
}

/** 503 naming what is down: every route, /health included, until the watch has it back. */
function emulatorDown(down: readonly [string, string][]): APIGatewayProxyResult {
  const names = down.map(([name]) => name);
  return problem(
    {
      status: 503,
      code: 'LOCAL_EMULATOR_DOWN',
      title: `${names.join(' and ')} down`,
      detail: down.map(([name, why]) => `${name} is down (${why}).`).join(' '),
    },
    { 'Retry-After': '5' },
  );
}

interface Route {
  readonly trigger: HttpTrigger;
  readonly fn: LocalFunction;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

function compile(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), parameterNames };
}

class PayloadTooLarge extends Error {}

/** Reads the body; stops reading (and rejects) the moment it passes the limit, chunked or not. */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      chunks.length = 0;
      reject(new PayloadTooLarge());
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
    // A client that hangs up mid-body never sends 'end'; settle instead of waiting for ever.
    request.on('close', () => reject(new Error('request aborted')));
  });
}

/**
 * Splits the raw request target into path and query. `new URL` is not used: it resolves
 * `//` as a host-less URL and throws, and it normalises `..` segments API Gateway does not.
 */
function splitTarget(target: string): { path: string; query: URLSearchParams } | undefined {
  if (!target.startsWith('/')) return undefined;
  const q = target.indexOf('?');
  if (q < 0) return { path: target, query: new URLSearchParams() };
  return { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

/** Percent-decoded path parameters, or undefined when one is not valid percent-encoding (e.g. `%zz`). */
function decodeParameters(
  names: readonly string[],
  match: RegExpExecArray,
): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
  } catch {
    return undefined;
  }
}

function singleValueHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const key = request.rawHeaders[i];
    const value = request.rawHeaders[i + 1];
    if (key !== undefined && value !== undefined) headers[key] = value;
  }
  return headers;
}

function proxyEvent(
  request: IncomingMessage,
  route: Route,
  pathParameters: Record<string, string>,
  target: { path: string; query: URLSearchParams },
  body: string,
): APIGatewayProxyEvent {
  const query: Record<string, string> = {};
  for (const [key, value] of target.query) query[key] = value;
  const requestTime = new Date();
  return {
    resource: route.trigger.path,
    path: target.path,
    httpMethod: route.trigger.method,
    headers: singleValueHeaders(request),
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: route.trigger.method,
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: target.path,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: requestTime.getTime(),
      resourceId: 'local',
      resourcePath: route.trigger.path,
    },
  };
}

/**
 * What the headers alone decide, before a byte of the body is read: a declared body over the
 * limit is a 413; a signed route without an Authorization header a 403 (an unsigned body is never
 * worth reading, whatever its size).
 */
function refusalFromHeaders(request: IncomingMessage, route: Route): APIGatewayProxyResult | undefined {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return gatewayRefusal('REQUEST_TOO_LARGE');
  if (route.trigger.caller !== 'public' && !request.headers.authorization) {
    return gatewayRefusal('AUTHENTICATION_REQUIRED');
  }
  return undefined;
}

/** What API Gateway does with a Lambda answer that is not a proxy result: a 502. */
function proxyResult(value: unknown): APIGatewayProxyResult {
  const result = value as Partial<APIGatewayProxyResult> | null | undefined;
  const status = result?.statusCode;
  if (
    typeof status !== 'number' ||
    !Number.isInteger(status) ||
    status < 100 ||
    status > 599 ||
    (result?.body !== undefined && typeof result.body !== 'string')
  ) {
    throw new Error(`malformed Lambda proxy response: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return result as APIGatewayProxyResult;
}

interface Answer {
  readonly result: APIGatewayProxyResult;
  /** The body was left unread (or read only in part): answer, then close the connection. */
  readonly bodyUnread?: boolean;
}

async function answer(
  compiled: readonly Route[],
  auth: CallerAuthConfig,
  emulators: EmulatorStatus | undefined,
  request: IncomingMessage,
): Promise<Answer> {
  const result = await answerRouted(compiled, auth, emulators, request);
  return 'result' in result ? result : { result, bodyUnread: !request.complete };
}

async function answerRouted(
  compiled: readonly Route[],
  auth: CallerAuthConfig,
  emulators: EmulatorStatus | undefined,
  request: IncomingMessage,
): Promise<APIGatewayProxyResult | Answer> {
  const target = splitTarget(request.url ?? '');
  if (!target) return problem(LOCAL_PROBLEMS.BAD_REQUEST);
  const hit = compiled
    .filter((route) => route.trigger.method === request.method)
    .map((route) => ({ route, match: route.pattern.exec(target.path) }))
    .find((candidate) => candidate.match !== null);
  // API Gateway (REST) answers a path or method it has no route for as it answers an unsigned
  // request (MISSING_AUTHENTICATION_TOKEN), which the stack's gateway responses rewrite.
  if (!hit?.match) return gatewayRefusal('AUTHENTICATION_REQUIRED');
  const pathParameters = decodeParameters(hit.route.parameterNames, hit.match);
  if (!pathParameters) return problem(LOCAL_PROBLEMS.BAD_REQUEST);
  const refusal = refusalFromHeaders(request, hit.route);
  if (refusal) return refusal;
  const down = emulators?.downNow() ?? [];
  if (down.length) return emulatorDown(down);
  let body: string;
  try {
    body = await readBody(request);
  } catch (error) {
    // Too large (chunked past the limit), or the client hung up (then nobody reads the answer).
    if (error instanceof PayloadTooLarge)
      return { result: gatewayRefusal('REQUEST_TOO_LARGE'), bodyUnread: true };
    return problem(LOCAL_PROBLEMS.BAD_REQUEST);
  }
  let access: CallerAccess;
  try {
    access = await authorizeCaller(hit.route.trigger.caller, request, target.query, body, auth);
  } catch (error) {
    // Whatever a client put in its signature headers, it is refused, never a 5xx.
    quietLog.error('signature check', 'signature check failed:', error);
    return gatewayRefusal('INVALID_SIGNATURE');
  }
  if (!access.ok) return access.result;
  try {
    const event = proxyEvent(request, hit.route, pathParameters, target, body);
    Object.assign(event.requestContext.identity, access.identity);
    return proxyResult(await hit.route.fn.invoke(event));
  } catch (error) {
    quietLog.error(`function ${hit.route.fn.name}`, `${hit.route.fn.name} failed:`, error);
    return problem(LOCAL_PROBLEMS.INTEGRATION_FAILURE);
  }
}

/** How long a refused request's unread body is drained (discarded) before its connection is cut. */
const LINGER_MS = 1000;

function send(request: IncomingMessage, response: ServerResponse, { result, bodyUnread }: Answer): void {
  if (bodyUnread) {
    // Answer first, then close: the client may still be sending. Draining (not buffering) the rest
    // for a moment lets it read the answer instead of a reset; a body that never ends is cut.
    response.setHeader('Connection', 'close');
    request.resume();
    response.once('finish', () => setTimeout(() => request.socket.destroy(), LINGER_MS).unref());
  }
  try {
    response.writeHead(result.statusCode, {
      ...(result.headers as Record<string, string> | undefined),
      'Content-Length': String(Buffer.byteLength(result.body ?? '')),
    });
    response.end(result.body);
  } catch (error) {
    // E.g. a header value with characters HTTP forbids: nothing has been written yet.
    quietLog.error('unsendable response', 'unsendable response:', error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const fallback = problem(LOCAL_PROBLEMS.INTEGRATION_FAILURE);
    response.writeHead(fallback.statusCode, fallback.headers as Record<string, string>);
    response.end(fallback.body);
  }
}

/**
 * Serves the REST API locally: the same routes, proxy event shape and handlers as API Gateway.
 * Nothing a client sends can throw out of here: a malformed target or percent-encoding is a 400,
 * no route a 403 AUTHENTICATION_REQUIRED as on API Gateway, a body over 10 MB a 413 and an
 * unsigned request to a signed route a 403, both decided from the headers before the body is
 * read; while an emulator is down every route answers 503 naming it; a handler crash or malformed
 * answer is a 502 for that request only. Every one of these is problem+json. Requests Node's
 * parser refuses (malformed request line or headers) get its own 400 / 431 and the connection is closed.
 */
export function createHttpGateway(
  routes: readonly { trigger: HttpTrigger; fn: LocalFunction }[],
  auth: CallerAuthConfig,
  emulators?: EmulatorStatus,
): Server {
  const compiled: Route[] = routes.map(({ trigger, fn }) => ({ trigger, fn, ...compile(trigger.path) }));
  return createServer((request, response) => {
    answer(compiled, auth, emulators, request).then(
      (answered) => send(request, response, answered),
      (error: unknown) => {
        quietLog.error('request', 'request failed:', error);
        send(request, response, { result: problem(LOCAL_PROBLEMS.INTEGRATION_FAILURE) });
      },
    );
  });
}
