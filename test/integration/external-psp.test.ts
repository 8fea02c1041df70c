/**
 * `npm start` with PSP_BASE_URL (and PSP_SECRET_KEY) set uses that PSP and starts no simulator:
 * here a plain HTTP server on this machine that answers Toss's confirm for one payment.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkout, postConfirm } from '../../bench/http';
import { type StartedLocalStack, startLocalStack, stopLocalStack } from '../support/local-stack';
import { portsHeld } from '../support/processes';

const KEY = 'test_sk_fake_psp_for_this_test';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => resolve(body));
  });
}

describe('npm start with PSP_BASE_URL', () => {
  const seen: Seen[] = [];
  let psp: Server;
  let pspUrl: string;
  let stack: StartedLocalStack | undefined;

  beforeAll(async () => {
    psp = createServer(async (request, response) => {
      const body = await readAll(request);
      seen.push({
        method: request.method ?? '',
        path: request.url ?? '',
        authorization: request.headers.authorization,
        body,
      });
      if (request.method === 'POST' && request.url === '/v1/payments/confirm') {
        const { orderId, amount, paymentKey } = JSON.parse(body);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            paymentKey,
            orderId,
            status: 'DONE',
            totalAmount: amount,
            balanceAmount: amount,
            approvedAt: new Date().toISOString(),
            cancels: null,
          }),
        );
        return;
      }
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ code: 'NOT_FOUND_PAYMENT', message: 'not found' }));
    });
    await new Promise<void>((resolve) => psp.listen(0, '127.0.0.1', resolve));
    pspUrl = `http://127.0.0.1:${(psp.address() as AddressInfo).port}`;
    stack = await startLocalStack({ PSP_BASE_URL: pspUrl, PSP_SECRET_KEY: KEY });
  }, 180_000);

  afterAll(async () => {
    if (stack) await stopLocalStack(stack.process);
    psp.closeAllConnections();
    await new Promise((resolve) => psp.close(resolve));
  });

  it('says which PSP it uses (never the key) and starts no simulator', async () => {
    const s = stack as StartedLocalStack;
    expect(s.output()).toContain(
      `PSP            ${pspUrl} (PSP_BASE_URL, a test key; simulator not started)`,
    );
    expect(s.output()).not.toContain(KEY);
    const held = await portsHeld(s.ports);
    expect(held).toContain(s.ports.api);
    expect(held).not.toContain(s.ports.psp);
  });

  it('confirms at that PSP with its key', async () => {
    const s = stack as StartedLocalStack;
    const order = await checkout(s.apiUrl);
    const answer = await postConfirm(s.apiUrl, { ...order, paymentKey: 'pk_fake_psp_1' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(
      expect.objectContaining({ orderId: order.orderId, status: 'SUCCESS' }),
    );
    const confirms = seen.filter((call) => call.path === '/v1/payments/confirm');
    expect(confirms).toHaveLength(1);
    expect(confirms[0]?.authorization).toBe(`Basic ${Buffer.from(`${KEY}:`).toString('base64')}`);
    expect(JSON.parse(confirms[0]?.body ?? '{}')).toEqual(
      expect.objectContaining({ orderId: order.orderId, amount: order.amount, paymentKey: 'pk_fake_psp_1' }),
    );
  });
});

describe('npm start with PSP_BASE_URL but no PSP_SECRET_KEY', () => {
  it('refuses to start, saying what is missing', async () => {
    await expect(startLocalStack({ PSP_BASE_URL: 'http://127.0.0.1:9', PSP_SECRET_KEY: '' })).rejects.toThrow(
      /Cannot start: PSP_BASE_URL is set but PSP_SECRET_KEY is not/,
    );
  }, 60_000);
});
