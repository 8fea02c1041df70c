import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpTrigger } from '../../lib/topology';
import { authorizeCaller, type CallerAuthConfig } from './caller-auth';
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
  });
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
  url: URL,
  body: string,
): APIGatewayProxyEvent {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const requestTime = new Date();
  return {
    resource: route.trigger.path,
    path: url.pathname,
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
      path: url.pathname,
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

/** Serves the REST API locally: the same routes, proxy event shape and handlers as API Gateway. */
export function createHttpGateway(
  routes: readonly { trigger: HttpTrigger; fn: LocalFunction }[],
  auth: CallerAuthConfig,
): Server {
  const compiled: Route[] = routes.map(({ trigger, fn }) => ({ trigger, fn, ...compile(trigger.path) }));
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let result: APIGatewayProxyResult;
    const matches = compiled
      .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
      .filter((candidate) => candidate.match !== null);
    const hit = matches.find(({ route }) => route.trigger.method === request.method);
    if (!hit?.match) {
      result = matches.length ? gatewayError(405, 'Method Not Allowed') : gatewayError(404, 'Not Found');
    } else {
      try {
        const body = await readBody(request);
        const pathParameters = Object.fromEntries(
          hit.route.parameterNames.map((name, i) => [name, decodeURIComponent(hit.match?.[i + 1] ?? '')]),
        );
        const access = await authorizeCaller(hit.route.trigger.caller, request, url, body, auth);
        if (access.ok) {
          const event = proxyEvent(request, hit.route, pathParameters, url, body);
          Object.assign(event.requestContext.identity, access.identity);
          result = (await hit.route.fn.invoke(event)) as APIGatewayProxyResult;
        } else {
          result = access.result;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message === 'payload too large') {
          result = gatewayError(413, 'Request Entity Too Large');
        } else {
          console.error(`[local] ${hit.route.fn.name} failed:`, error);
          result = gatewayError(502, 'Internal server error');
        }
      }
    }
    response.writeHead(result.statusCode, { ...(result.headers as Record<string, string> | undefined) });
    response.end(result.body);
  });
}
