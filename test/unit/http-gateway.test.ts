/**
 * The local front door on its own, with stand-in functions: whatever a client sends and whatever
 * a handler does, one request gets one 4xx/5xx answer and the server keeps serving the next.
 */

import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LocalFunction } from '../../local/runtime/functions';
import { createHttpGateway, MAX_BODY_BYTES } from '../../local/runtime/http-gateway';

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
const publicPost = (path: string) =>
  ({ kind: 'http', method: 'POST', path, caller: 'public', publicBecause: 'a stand-in' }) as const;
let down: [string, string][] = [];
const server = createHttpGateway(
  [
    { trigger: publicGet('/payments/{orderId}'), fn: fn('getPayment') },
    { trigger: publicGet('/health'), fn: fn('health') },
    { trigger: publicPost('/webhooks/toss'), fn: fn('pspWebhook') },
    { trigger: { kind: 'http', method: 'POST', path: '/checkouts', caller: 'shop' }, fn: fn('checkout') },
  ],
  { principals: [], region: 'us-east-1' },
  { downNow: () => down },
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
  down = [];
});

/** A request with the target sent exactly as written (no URL normalisation, like `curl --path-as-is`). */
function get(target: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target }, (res) => {
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

/**
 * Sends a request head and part of a body, then keeps the connection open and never finishes the
 * body (more chunks if `chunks` says so); resolves with the status and body of the answer.
 */
function unfinished(head: string, chunks = 0): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', async () => {
      socket.write(head);
      const mb = Buffer.alloc(1024 * 1024, 'a');
      for (let i = 0; i < chunks && !socket.destroyed; i++) {
        const written = socket.write(`${mb.length.toString(16)}\r\n${mb}\r\n`);
        if (!written) await new Promise((drained) => socket.once('drain', drained));
      }
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      const end = answer.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(answer)?.[1] ?? -1);
      if (end < 0 || answer.length < end + 4 + length) return;
      socket.destroy();
      resolve({ status: Number(answer.split(' ')[1]), body: answer.slice(end + 4) });
    });
    // The server may cut the connection while we still write: only a missing answer is a failure.
    socket.on('error', () => undefined);
    socket.on('close', () => reject(new Error(`closed without a whole answer: ${answer.slice(0, 200)}`)));
  });
}

async function expectStillServing(): Promise<void> {
  behaviour = ok;
  expect(await get('/health')).toEqual({ status: 200, body: 'ok' });
}

describe('local HTTP front door', () => {
  it.each([
    ['//', 403],
    ['///payments', 403],
    ['/payments/a/b', 403],
    ['/payments/', 403],
    ['/health/', 403],
    ['/payments/%zz', 400],
    ['/payments/%E0%A4%A', 400],
  ])('answers %s with %i without invoking a function, then keeps serving', async (target, status) => {
    const answer = await get(target);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toEqual(
      expect.objectContaining({ code: status === 403 ? 'AUTHENTICATION_REQUIRED' : 'BAD_REQUEST' }),
    );
    expect(seen).toHaveLength(0);
    await expectStillServing();
  });

  it('answers a method the path has no route for like an unknown path (API Gateway REST)', async () => {
    const answer = await get('/health', 'DELETE');
    expect(answer.status).toBe(403);
    expect(seen).toHaveLength(0);
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
  ])('answers 502 problem+json for that request only when the function %s', async (_, crash) => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    behaviour = crash;
    const answer = await get('/payments/order-1');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual(
      expect.objectContaining({ code: 'INTEGRATION_FAILURE', status: 502 }),
    );
    logged.mockRestore();
    await expectStillServing();
  });
});

describe('what the headers alone decide, before the body is read', () => {
  it('answers 413 problem+json to a declared body over 10 MB, whose bytes never come', async () => {
    const answer = await unfinished(
      `POST /webhooks/toss HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n{"a":`,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ code: 'REQUEST_TOO_LARGE' }));
    expect(seen).toHaveLength(0);
    await expectStillServing();
  });

  it('answers 403 problem+json to an unsigned request on a signed route, whose body never ends', async () => {
    const answer = await unfinished(
      'POST /checkouts HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n{"a":',
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ code: 'AUTHENTICATION_REQUIRED' }));
    expect(seen).toHaveLength(0);
    await expectStillServing();
  });

  it('stops reading a chunked body the moment it passes 10 MB and answers 413', async () => {
    const answer = await unfinished(
      'POST /webhooks/toss HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      12,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ code: 'REQUEST_TOO_LARGE' }));
    expect(seen).toHaveLength(0);
    await expectStillServing();
  });
});

describe('while an emulator is down', () => {
  it('answers every route, /health included, 503 problem+json naming it, without invoking a function', async () => {
    down = [['DynamoDB Local', 'exited (signal SIGKILL)']];
    for (const target of ['/health', '/payments/order-1']) {
      const answer = await get(target);
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual(
        expect.objectContaining({
          code: 'LOCAL_EMULATOR_DOWN',
          title: 'DynamoDB Local down',
          detail: 'DynamoDB Local is down (exited (signal SIGKILL)).',
        }),
      );
    }
    expect(seen).toHaveLength(0);
    down = [];
    await expectStillServing();
  });
});
