/**
 * The local front door on its own, with stand-in functions: whatever a client sends and whatever
 * a handler does, one request gets one 4xx/5xx answer and the server keeps serving the next.
 */

import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LocalFunction } from '../../local/runtime/functions';
import { createHttpGateway } from '../../local/runtime/http-gateway';

type Behaviour = (event: APIGatewayProxyEvent) => Promise<unknown>;

let behaviour: Behaviour;
const seen: APIGatewayProxyEvent[] = [];
const fn = (name: LocalFunction['name']): LocalFunction => ({
  name,
  invoke: (event) => {
    seen.push(event as APIGatewayProxyEvent);
    return behaviour(event as APIGatewayProxyEvent);
  },
});
const ok: Behaviour = async () => ({
  statusCode: 200,
  headers: { 'Content-Type': 'text/plain' },
  body: 'ok',
});

// Public routes: signature checks have their own tests (sigv4-verify, trust-boundaries).
const publicGet = (path: string) =>
  ({ kind: 'http', method: 'GET', path, caller: 'public', publicBecause: 'a stand-in' }) as const;
const server = createHttpGateway(
  [
    { trigger: publicGet('/payments/{orderId}'), fn: fn('getPayment') },
    { trigger: publicGet('/health'), fn: fn('health') },
  ],
  { principals: [], region: 'us-east-1' },
);
let port: number;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  behaviour = ok;
  seen.length = 0;
});

/** A request with the target sent exactly as written (no URL normalisation, like `curl --path-as-is`). */
function get(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: target }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes straight onto a socket, for what no HTTP client would send; returns the status line. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

async function expectStillServing(): Promise<void> {
  behaviour = ok;
  expect(await get('/health')).toEqual({ status: 200, body: 'ok' });
}

describe('local HTTP front door', () => {
  it.each([
    ['//', 404],
    ['///payments', 404],
    ['/payments/%zz', 400],
    ['/payments/%E0%A4%A', 400],
    ['/payments/a/b', 404],
    ['/payments/', 404],
  ])('answers %s with %i without invoking a function, then keeps serving', async (target, status) => {
    const answer = await get(target);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toHaveProperty('message');
    expect(seen).toHaveLength(0);
    await expectStillServing();
  });

  it('answers a request line or header Node cannot parse with 400, then keeps serving', async () => {
    expect(await raw('GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('GET * HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await expectStillServing();
  });

  it('survives a client that hangs up halfway through its body', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half":');
        setImmediate(() => socket.destroy());
      });
      socket.on('close', () => resolve());
    });
    await expectStillServing();
  });

  it('hands the function the decoded path parameter and the query', async () => {
    expect((await get('/payments/order%2D1?x=1&y=%zz')).status).toBe(200);
    expect(seen[0]?.pathParameters).toEqual({ orderId: 'order-1' });
    expect(seen[0]?.queryStringParameters).toEqual({ x: '1', y: '%zz' });
    expect(seen[0]?.path).toBe('/payments/order%2D1');
  });

  it.each<[string, Behaviour]>([
    ['throws', async () => Promise.reject(new Error('handler crashed'))],
    ['returns nothing', async () => undefined],
    ['returns a status that is not one', async () => ({ statusCode: 'ok', body: '' })],
    ['returns a non-string body', async () => ({ statusCode: 200, body: { a: 1 } })],
    [
      'returns a header HTTP forbids',
      async () => ({ statusCode: 200, headers: { 'X-A': 'a\nb' }, body: '' }),
    ],
  ])('answers 502 for that request only when the function %s', async (_, crash) => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    behaviour = crash;
    const answer = await get('/payments/order-1');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Internal server error' });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
    await expectStillServing();
  });
});
