import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpTrigger } from '../../lib/topology';
import { authorizeCaller, type CallerAccess, type CallerAuthConfig } from './caller-auth';
import type { LocalFunction } from './functions';

/** API Gateway's default payload limit is 10 MB; far above anything this API accepts. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

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

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('payload too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
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

function gatewayError(statusCode: number, message: string): APIGatewayProxyResult {
  // API Gateway's own errors (no route, integration failure) look like this.
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) };
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

async function answer(
  compiled: readonly Route[],
  auth: CallerAuthConfig,
  request: IncomingMessage,
): Promise<APIGatewayProxyResult> {
  const target = splitTarget(request.url ?? '');
  if (!target) return gatewayError(400, 'Bad Request');
  const matches = compiled
    .map((route) => ({ route, match: route.pattern.exec(target.path) }))
    .filter((candidate) => candidate.match !== null);
  const hit = matches.find(({ route }) => route.trigger.method === request.method);
  if (!hit?.match) {
    return matches.length ? gatewayError(405, 'Method Not Allowed') : gatewayError(404, 'Not Found');
  }
  const pathParameters = decodeParameters(hit.route.parameterNames, hit.match);
  if (!pathParameters) return gatewayError(400, 'Bad Request');
  let body: string;
  try {
    body = await readBody(request);
  } catch (error) {
    // Too large, or the client hung up (then nobody reads the answer).
    const tooLarge = error instanceof Error && error.message === 'payload too large';
    return tooLarge ? gatewayError(413, 'Request Entity Too Large') : gatewayError(400, 'Bad Request');
  }
  let access: CallerAccess;
  try {
    access = await authorizeCaller(hit.route.trigger.caller, request, target.query, body, auth);
  } catch (error) {
    // Whatever a client put in its signature headers, it is refused, never a 5xx.
    console.error('[local] signature check failed:', error);
    return gatewayError(403, 'Forbidden');
  }
  if (!access.ok) return access.result;
  try {
    const event = proxyEvent(request, hit.route, pathParameters, target, body);
    Object.assign(event.requestContext.identity, access.identity);
    return proxyResult(await hit.route.fn.invoke(event));
  } catch (error) {
    console.error(`[local] ${hit.route.fn.name} failed:`, error);
    return gatewayError(502, 'Internal server error');
  }
}

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  try {
    response.writeHead(result.statusCode, { ...(result.headers as Record<string, string> | undefined) });
    response.end(result.body);
  } catch (error) {
    // E.g. a header value with characters HTTP forbids: nothing has been written yet.
    console.error('[local] unsendable response:', error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const fallback = gatewayError(502, 'Internal server error');
    response.writeHead(fallback.statusCode, fallback.headers as Record<string, string>);
    response.end(fallback.body);
  }
}

/**
 * Serves the REST API locally: the same routes, proxy event shape and handlers as API Gateway.
 * Nothing a client sends can throw out of here: a malformed target or percent-encoding is a 400,
 * a handler crash or malformed answer a 502 for that request only. Requests Node's parser refuses
 * (malformed request line or headers) get its own 400 / 431 and the connection is closed.
 */
export function createHttpGateway(
  routes: readonly { trigger: HttpTrigger; fn: LocalFunction }[],
  auth: CallerAuthConfig,
): Server {
  const compiled: Route[] = routes.map(({ trigger, fn }) => ({ trigger, fn, ...compile(trigger.path) }));
  return createServer((request, response) => {
    answer(compiled, auth, request).then(
      (result) => send(response, result),
      (error: unknown) => {
        console.error('[local] request failed:', error);
        send(response, gatewayError(502, 'Internal server error'));
      },
    );
  });
}
