import { randomBytes } from 'node:crypto';
import { type Html, html, page, won } from '../html';
import { TossError } from './errors';
import type { Reply, SimEnv, SimRequest } from './http';
import { parseAction } from './scenarios';

/**
 * The PSP's hosted payment window, as Toss's behaves for a card payment: the shop sends the buyer
 * here with the order (orderId, amount, orderName, successUrl, failUrl); the buyer enters a card and
 * authenticates; the window sends the buyer back to `successUrl?paymentKey&orderId&amount` (the shop
 * then confirms server side) or to `failUrl?code&message&orderId`. Closing it sends nobody anywhere:
 * the order stays unpaid and may be paid later.
 */

/** Test cards: what the card number decides in the simulated window. Any other 16 digits approve. */
export const TEST_CARDS = {
  approve: '4242424242424242',
  declineInWindow: '4000000000000002',
  declineAtConfirm: '4000000000009995',
  threeDSecure: '4000000000003220',
} as const;

const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/;
/** Windows remembered for a repeated "pay" (a double click, a resubmitted form). */
const MAX_WINDOWS = 10_000;

interface WindowOrder {
  orderId: string;
  amount: number;
  orderName: string;
  successUrl: string;
  failUrl: string;
  windowId: string;
}

function httpUrl(value: string | undefined): string | undefined {
  try {
    const url = new URL(value ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function parseOrder(fields: Record<string, string | undefined>): WindowOrder | string {
  const { orderId = '', orderName = 'Order', windowId } = fields;
  const amount = Number(fields.amount);
  const successUrl = httpUrl(fields.successUrl);
  const failUrl = httpUrl(fields.failUrl);
  if (!ORDER_ID.test(orderId)) return 'orderId must be 6-64 characters of letters, digits, - and _.';
  if (!Number.isSafeInteger(amount) || amount <= 0) return 'amount must be a positive integer.';
  if (!successUrl || !failUrl) return 'successUrl and failUrl must be http(s) URLs.';
  if (orderName.length > 100) return 'orderName must be at most 100 characters.';
  return {
    orderId,
    amount,
    orderName,
    successUrl,
    failUrl,
    windowId: windowId && /^[0-9a-f]{32}$/.test(windowId) ? windowId : randomBytes(16).toString('hex'),
  };
}

function htmlReply(status: number, body: string): Reply {
  return {
    status,
    body,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  };
}

function redirect(base: string, params: Record<string, string>): Reply {
  const target = new URL(base);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return { status: 303, body: '', headers: { location: target.toString(), 'cache-control': 'no-store' } };
}

const STYLE = `
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #3064e0; }
.card input { width: 16rem; letter-spacing: .08em; } .cards td { font-family: monospace; }
.wait { font-size: 1.2rem; }`;

function hiddenFields(order: WindowOrder): Html {
  const fields = { ...order, amount: String(order.amount) };
  return html`${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}`;
}

function windowPage(order: WindowOrder, error?: string): string {
  return page(
    'Payment window (PSP simulator)',
    html`<header><h1>Card payment</h1><span>PSP simulator · Toss-compatible window</span></header>
<div class="box"><strong id="order-name">${order.orderName}</strong><div id="amount">${won(order.amount)}</div></div>
<form method="post" action="/__sim/window/pay" class="card">
${hiddenFields(order)}
<p><label>Card number<br><input name="cardNumber" id="card-number" inputmode="numeric" autocomplete="off" value="${TEST_CARDS.approve}"></label></p>
${error ? html`<p class="error" id="window-error">${error}</p>` : ''}
<p><button type="submit" id="pay" name="action" value="pay">Pay ${won(order.amount)}</button>
<button type="submit" class="secondary" id="cancel" name="action" value="cancel">Cancel</button></p>
</form>
<table class="cards"><tr><th>Test card</th><th>What happens</th></tr>
<tr><td>${TEST_CARDS.approve}</td><td>approved (so is any other 16-digit number)</td></tr>
<tr><td>${TEST_CARDS.threeDSecure}</td><td>approved after a 3-D Secure wait</td></tr>
<tr><td>${TEST_CARDS.declineInWindow}</td><td>refused by the card company in this window</td></tr>
<tr><td>${TEST_CARDS.declineAtConfirm}</td><td>authenticated here, declined when the shop confirms</td></tr></table>`,
    STYLE,
  );
}

/** The issuer's authentication step: the buyer approves in the card company's app, the page moves on. */
function threeDSecurePage(order: WindowOrder, cardNumber: string): string {
  return page(
    '3-D Secure (PSP simulator)',
    html`<header><h1>Card authentication</h1><span>PSP simulator</span></header>
<p class="wait" id="three-ds">Approve the payment of ${won(order.amount)} in your card company's app…</p>
<form method="post" action="/__sim/window/pay" id="three-ds-form">
${hiddenFields(order)}
<input type="hidden" name="cardNumber" value="${cardNumber}">
<input type="hidden" name="threeDs" value="passed">
<button type="submit" id="approve-3ds" name="action" value="pay">I approved it in the app</button>
<button type="submit" class="secondary" id="cancel" name="action" value="cancel">Cancel</button>
</form>
<script>setTimeout(() => document.getElementById('approve-3ds').click(), 2000);</script>`,
    STYLE,
  );
}

export class PaymentWindow {
  /** windowId → paymentKey: the same window paying twice gets the same session, not a second one. */
  private readonly sessions = new Map<string, string>();

  /** GET /__sim/window?orderId&amount&orderName&successUrl&failUrl — the window the shop opens. */
  readonly show = (req: SimRequest): Reply => {
    const order = parseOrder(Object.fromEntries(req.query));
    if (typeof order === 'string')
      return htmlReply(400, page('Invalid payment request', html`<p class="error">${order}</p>`));
    return htmlReply(200, windowPage(order));
  };

  /** POST /__sim/window/pay — the buyer's card form (and the 3-D Secure step). */
  readonly pay = (req: SimRequest, env: SimEnv): Reply => {
    const fields = req.body as Record<string, string>;
    const order = parseOrder(fields);
    if (typeof order === 'string')
      return htmlReply(400, page('Invalid payment request', html`<p class="error">${order}</p>`));
    const fail = (error: TossError) =>
      redirect(order.failUrl, { code: error.code, message: error.message, orderId: order.orderId });
    if (fields.action === 'cancel')
      return fail(new TossError('PAY_PROCESS_CANCELED', 'The buyer canceled the payment.'));

    const cardNumber = (fields.cardNumber ?? '').replace(/[\s-]/g, '');
    if (!/^\d{16}$/.test(cardNumber))
      return htmlReply(200, windowPage(order, 'Enter the 16 digits of the card number.'));
    if (cardNumber === TEST_CARDS.declineInWindow) return fail(new TossError('REJECT_CARD_COMPANY'));
    if (cardNumber === TEST_CARDS.threeDSecure && fields.threeDs !== 'passed')
      return htmlReply(200, threeDSecurePage(order, cardNumber));

    let paymentKey = this.sessions.get(order.windowId);
    if (paymentKey === undefined || env.state.orderByPaymentKey(paymentKey)?.status !== 'READY') {
      try {
        paymentKey = env.state.openSession(order, env.clock()).paymentKey;
      } catch (error) {
        if (error instanceof TossError) return fail(error);
        throw error;
      }
      this.remember(order.windowId, paymentKey);
    }
    if (cardNumber === TEST_CARDS.declineAtConfirm)
      env.state.scenarios.set(order.orderId, [parseAction('decline:REJECT_CARD_PAYMENT')]);
    return redirect(order.successUrl, { paymentKey, orderId: order.orderId, amount: String(order.amount) });
  };

  private remember(windowId: string, paymentKey: string): void {
    if (this.sessions.size >= MAX_WINDOWS) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(windowId, paymentKey);
  }
}
