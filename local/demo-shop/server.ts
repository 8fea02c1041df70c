import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Credentials,
  newIdempotencyKey,
  PaymentsApiError,
  PaymentsClient,
  PaymentsNetworkError,
  type PaymentView,
} from '../../client/src';
import { won } from '../html';
import { CART, SELLERS } from './catalog';
import {
  errorPage,
  type Flash,
  failurePage,
  livePanel,
  orderPage,
  ordersPage,
  productPage,
  successPage,
  tossWindowPage,
  type WalletLine,
} from './pages';

/**
 * A small shop's web server, as a merchant would write one against this API: it holds the shop's
 * credentials (the browser never sees them), creates the order, sends the buyer to the PSP's payment
 * window, confirms server side on the success redirect, shows the payment until wallet and ledger
 * have applied it, and refunds. It keeps nothing itself: the API is the source of truth.
 */

/** Where the buyer pays: the PSP simulator's hosted window, or Toss's own (JS SDK with the client key). */
export type PaymentWindowConfig = { readonly simulatorUrl: string } | { readonly tossClientKey: string };

export interface DemoShopOptions {
  readonly port: number;
  readonly apiUrl: string;
  /** The shop's principal: signs every API call. */
  readonly shop: Credentials;
  /** An operator's principal, for the back-office panel (seller wallets); absent = no panel. */
  readonly operator?: Credentials;
  readonly region: string;
  readonly window: PaymentWindowConfig;
}

export interface DemoShop {
  readonly url: string;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const KEY = /^[A-Za-z0-9_-]{6,64}$/;
const MAX_FORM_BYTES = 8 * 1024;

const htmlAnswer = (body: string, status = 200): Answer => ({
  status,
  body,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
});
const seeOther = (location: string): Answer => ({ status: 303, body: '', headers: { location } });
const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_FORM_BYTES) throw new RangeError('form too large');
  }
  return new URLSearchParams(text);
}

export async function startDemoShop(options: DemoShopOptions): Promise<DemoShop> {
  const payments = new PaymentsClient({
    baseUrl: options.apiUrl,
    credentials: options.shop,
    region: options.region,
  });
  const backOffice =
    options.operator &&
    new PaymentsClient({ baseUrl: options.apiUrl, credentials: options.operator, region: options.region });
  /** The orders placed through this shop since it started, newest first (for the "Your orders" list only). */
  const placed: { orderId: string; createdAt: string }[] = [];
  let url = '';

  async function wallets(): Promise<WalletLine[] | undefined> {
    if (!backOffice) return undefined;
    return Promise.all(
      SELLERS.map(async (sellerId) => {
        try {
          return { sellerId, balance: (await backOffice.getWallet(sellerId)).balance };
        } catch (error) {
          if (error instanceof PaymentsApiError && error.status === 404)
            return { sellerId, balance: undefined };
          throw error;
        }
      }),
    );
  }

  async function checkout(form: URLSearchParams): Promise<Answer> {
    // The key was rendered into the page: a double click or a resubmitted form is the same order.
    const cartKey = form.get('cartKey') ?? '';
    const order = await payments.createCheckout(CART, {
      idempotencyKey: KEY.test(cartKey) ? cartKey : undefined,
    });
    if (!placed.some((p) => p.orderId === order.orderId))
      placed.unshift({ orderId: order.orderId, createdAt: order.createdAt });
    return seeOther(`/orders/${encodeURIComponent(order.orderId)}/pay`);
  }

  async function openWindow(orderId: string): Promise<Answer> {
    const view = await payments.getPayment(orderId);
    if (view.status !== 'NOT_STARTED') return seeOther(`/orders/${encodeURIComponent(orderId)}`);
    const order = {
      orderId,
      amount: view.amount,
      orderName: CART.orderName,
      successUrl: `${url}/success`,
      failUrl: `${url}/fail`,
    };
    if ('tossClientKey' in options.window)
      return htmlAnswer(tossWindowPage(options.window.tossClientKey, order));
    return seeOther(
      `${options.window.simulatorUrl}/__sim/window?${query({ ...order, amount: String(order.amount) })}`,
    );
  }

  /** The PSP's success redirect: confirm server side (a reload confirms again and gets the same answer). */
  async function success(params: URLSearchParams): Promise<Answer> {
    const paymentKey = params.get('paymentKey') ?? '';
    const orderId = params.get('orderId') ?? '';
    const amount = Number(params.get('amount'));
    if (!paymentKey || !orderId || !Number.isSafeInteger(amount))
      return htmlAnswer(errorPage(400, 'The payment window sent an incomplete redirect.'), 400);
    let outcome: Awaited<ReturnType<PaymentsClient['confirmPayment']>>;
    try {
      outcome = await payments.confirmPayment({ paymentKey, orderId, amount });
    } catch (error) {
      if (!(error instanceof PaymentsApiError)) throw error;
      return seeOther(`/fail?${query({ code: error.code, message: error.detail, orderId })}`);
    }
    if (outcome.status === 'FAILURE')
      return seeOther(`/fail?${query({ code: outcome.code, message: outcome.message ?? '', orderId })}`);
    return htmlAnswer(successPage(await payments.getPayment(orderId), await wallets()));
  }

  async function refund(orderId: string, form: URLSearchParams): Promise<Answer> {
    const back = (message: Flash) =>
      seeOther(`/orders/${encodeURIComponent(orderId)}?${query(message as Record<string, string>)}`);
    const refundKey = form.get('refundKey') ?? '';
    const partial = form.get('kind') === 'partial';
    const cancelAmount = partial ? Number(form.get('amount')) : undefined;
    if (partial && (!Number.isSafeInteger(cancelAmount) || (cancelAmount ?? 0) <= 0))
      return back({ error: 'Enter the amount to refund, in won.' });
    try {
      const outcome = await payments.cancelPayment(
        orderId,
        {
          cancelReason: partial ? 'Partial refund requested by the buyer' : 'Refund requested by the buyer',
          cancelAmount,
        },
        { idempotencyKey: KEY.test(refundKey) ? refundKey : undefined },
      );
      return back({
        ok:
          outcome.status === 'UNKNOWN'
            ? 'The refund is being processed.'
            : `Refunded. Balance left: ${won(outcome.balanceAmount)}.`,
      });
    } catch (error) {
      if (!(error instanceof PaymentsApiError)) throw error;
      return back({ error: `${error.code}: ${error.detail}` });
    }
  }

  async function route(req: IncomingMessage): Promise<Answer> {
    const target = new URL(req.url ?? '/', 'http://shop');
    const path = target.pathname;
    const order = /^\/orders\/([A-Za-z0-9_-]{6,64})(\/pay|\/live|\/refund)?$/.exec(path);
    if (req.method === 'GET' && path === '/') return htmlAnswer(productPage(newIdempotencyKey('cart')));
    if (req.method === 'POST' && path === '/checkout') return checkout(await readForm(req));
    if (req.method === 'GET' && path === '/success') return success(target.searchParams);
    if (req.method === 'GET' && path === '/fail') {
      const p = target.searchParams;
      return htmlAnswer(
        failurePage(p.get('code') ?? 'UNKNOWN_ERROR', p.get('message') ?? '', p.get('orderId') ?? undefined),
      );
    }
    if (req.method === 'GET' && path === '/orders') return htmlAnswer(ordersPage(placed));
    if (order) {
      const [, orderId = '', action] = order;
      if (req.method === 'GET' && action === '/pay') return openWindow(orderId);
      if (req.method === 'POST' && action === '/refund') return refund(orderId, await readForm(req));
      if (req.method === 'GET' && action === '/live')
        return htmlAnswer(livePanel(await payments.getPayment(orderId), await wallets()).text);
      if (req.method === 'GET' && action === undefined) {
        const view: PaymentView = await payments.getPayment(orderId);
        const flash = {
          ok: target.searchParams.get('ok') ?? undefined,
          error: target.searchParams.get('error') ?? undefined,
        };
        return htmlAnswer(orderPage(view, await wallets(), flash, newIdempotencyKey('refund')));
      }
    }
    return htmlAnswer(errorPage(404, 'No such page.'), 404);
  }

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: Answer;
    try {
      answer = await route(req);
    } catch (error) {
      if (error instanceof PaymentsApiError)
        answer = htmlAnswer(errorPage(error.status, `${error.code}: ${error.detail}`), error.status);
      else if (error instanceof PaymentsNetworkError)
        answer = htmlAnswer(errorPage(502, 'The payments API did not answer.'), 502);
      else if (error instanceof RangeError)
        answer = htmlAnswer(errorPage(413, 'The form is too large.'), 413);
      else {
        console.error('[demo-shop] unexpected error', error);
        answer = htmlAnswer(errorPage(500, 'Unexpected error.'), 500);
      }
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }

  const server = createServer((req, res) => void respond(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve());
  });
  url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
