import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cancelPayment } from './cancel';
import { confirmPayment } from './confirm';
import { TossError } from './errors';
import {
  type Handler,
  type HandlerResult,
  header,
  json,
  readFormBody,
  readJsonBody,
  type SimEnv,
} from './http';
import { StateJournal } from './journal';
import { getPaymentByOrderId } from './retrieve';
import { controlSettlements, listSettlements } from './settlements';
import { createSession, getOrderTruth, setScenario } from './sim-control';
import { SimState } from './state';
import { Webhooks } from './webhooks';
import { PaymentWindow } from './window';

export interface PspSimulatorOptions {
  port: number;
  host?: string;
  secretKey: string;
  /** ms the 'timeout' actions hang before closing the socket; default 30000 */
  hangMs?: number;
  clock?: () => Date;
  /** File that keeps the state across restarts (a journal); absent = in memory only. */
  stateFile?: string;
  /** What one minute of Toss's webhook retry schedule lasts; default 1000 ms. */
  webhookMinuteMs?: number;
  /** Delay of a webhook's first delivery after the status change (default 200 ms). */
  webhookDelayMs?: number;
}

export interface PspSimulator {
  url: string;
  close(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** At most one capture group: the route's path parameter. */
  pattern: RegExp;
  handler: Handler;
  /** The body is an HTML form's, not JSON (the payment window). */
  form?: true;
}

function buildRoutes(reset: () => void, webhooks: Webhooks, window: PaymentWindow): Route[] {
  return [
    { method: 'GET', pattern: /^\/__sim\/window$/, handler: window.show },
    { method: 'POST', pattern: /^\/__sim\/window\/pay$/, handler: window.pay, form: true },
    { method: 'POST', pattern: /^\/__sim\/webhooks$/, handler: webhooks.register },
    { method: 'DELETE', pattern: /^\/__sim\/webhooks$/, handler: webhooks.clear },
    { method: 'POST', pattern: /^\/v1\/payments\/confirm$/, handler: confirmPayment },
    { method: 'POST', pattern: /^\/v1\/payments\/([^/]+)\/cancel$/, handler: cancelPayment },
    { method: 'GET', pattern: /^\/v1\/payments\/orders\/([^/]+)$/, handler: getPaymentByOrderId },
    { method: 'GET', pattern: /^\/v1\/settlements$/, handler: listSettlements },
    { method: 'POST', pattern: /^\/__sim\/sessions$/, handler: createSession },
    { method: 'POST', pattern: /^\/__sim\/scenarios$/, handler: setScenario },
    { method: 'POST', pattern: /^\/__sim\/settlements$/, handler: controlSettlements },
    { method: 'GET', pattern: /^\/__sim\/orders\/([^/]+)$/, handler: getOrderTruth },
    {
      method: 'POST',
      pattern: /^\/__sim\/reset$/,
      handler: () => {
        reset();
        return json(200, { reset: true });
      },
    },
  ];
}

/** Toss authenticates with HTTP Basic: the secret key as user name and an empty password. */
function isAuthorized(authorization: string | undefined, secretKey: string): boolean {
  const credentials = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return credentials !== undefined && Buffer.from(credentials, 'base64').toString('utf8') === `${secretKey}:`;
}

/** Starts a Toss Payments–compatible PSP simulator; state lives in memory, and in `stateFile` if given. */
export async function startPspSimulator(opts: PspSimulatorOptions): Promise<PspSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const hangMs = opts.hangMs ?? 30_000;
  const clock = opts.clock ?? (() => new Date());
  const journal = opts.stateFile ? new StateJournal(opts.stateFile) : undefined;
  let state = journal?.load() ?? new SimState();

  // Every wait goes through here, so close() can cancel them and no timer outlives the server.
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const webhooks = new Webhooks({
    minuteMs: opts.webhookMinuteMs ?? 1000,
    firstDelayMs: opts.webhookDelayMs ?? 200,
    sleep,
    clock,
  });
  const routes = buildRoutes(
    () => {
      state = new SimState();
      journal?.reset();
    },
    webhooks,
    new PaymentWindow(),
  );

  async function route(req: IncomingMessage): Promise<HandlerResult> {
    const url = new URL(req.url ?? '/', 'http://psp-sim');
    if (
      url.pathname.startsWith('/v1/') &&
      !isAuthorized(header(req.headers, 'authorization'), opts.secretKey)
    ) {
      throw new TossError('UNAUTHORIZED_KEY');
    }
    for (const { method, pattern, handler, form } of routes) {
      const match = pattern.exec(url.pathname);
      if (!match || req.method !== method) continue;
      const param = decodeParam(match[1] ?? '');
      const body = method === 'POST' ? await (form ? readFormBody(req) : readJsonBody(req)) : undefined;
      const env: SimEnv = {
        state,
        clock,
        hangMs,
        sleep,
        statusChanged: (order) => webhooks.statusChanged(order),
      };
      return handler({ param, query: url.searchParams, headers: req.headers, body }, env);
    }
    throw new TossError('NOT_FOUND');
  }

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let result: HandlerResult;
    try {
      result = await route(req);
    } catch (error) {
      if (!(error instanceof TossError)) console.error('psp-sim: unexpected error', error);
      result = (
        error instanceof TossError ? error : new TossError('FAILED_INTERNAL_SYSTEM_PROCESSING')
      ).toReply();
    }
    // Kept before anyone hears of it, so what a client was told survives a crash right after.
    journal?.save(state);
    if ('drop' in result) {
      if (result.drop === 'after-hang') await sleep(hangMs);
      res.destroy();
      return;
    }
    res.writeHead(result.status, {
      'content-type': 'application/json; charset=utf-8',
      ...result.headers,
      'content-length': Buffer.byteLength(result.body),
    });
    res.end(result.body);
  }

  const server = createServer((req, res) => void respond(req, res));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`PSP simulator: port ${opts.port} on ${host} is already in use (EADDRINUSE)`)
          : error,
      );
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        webhooks.close();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Held (hanging) and idle keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      }),
  };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new TossError('INVALID_REQUEST', 'The path is not valid URL encoding.');
  }
}
