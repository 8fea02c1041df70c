import type { PaymentView } from '../../client/src';
import { type Html, html, page, scriptValue, won } from '../html';
import { CART, CART_TOTAL, TITLES } from './catalog';

/** The demo shop's pages: plain server-rendered HTML, and one small poller for the live payment panel. */

export interface WalletLine {
  readonly sellerId: string;
  readonly balance: number | undefined;
}

export interface Flash {
  readonly ok?: string;
  readonly error?: string;
}

const nav = html`<p><a href="/">Shop</a> · <a href="/orders">Your orders</a></p>`;

function flash(message: Flash): Html {
  return html`${message.ok ? html`<p class="ok" id="flash">${message.ok}</p>` : ''}${
    message.error ? html`<p class="error" id="flash">${message.error}</p>` : ''
  }`;
}

export function productPage(cartKey: string): string {
  return page(
    'Demo bookshop',
    html`<h1>Demo bookshop</h1>${nav}
<div class="box"><table><tr><th>Book</th><th>Seller</th><th>Price</th></tr>
${CART.items.map((item) => html`<tr><td>${TITLES[item.productId] ?? item.productId}</td><td>${item.sellerId}</td><td>${won(item.amount)}</td></tr>`)}
<tr><th colspan="2">Total</th><th id="total">${won(CART_TOTAL)}</th></tr></table></div>
<form method="post" action="/checkout">
<input type="hidden" name="cartKey" value="${cartKey}">
<button type="submit" id="checkout">Pay ${won(CART_TOTAL)}</button>
</form>
<p>You will pay in the PSP's payment window, then come back here.</p>`,
  );
}

function yes(flag: boolean, what: string): Html {
  return flag ? html`<span class="ok">✓ ${what}</span>` : html`<span>… waiting</span>`;
}

/** The payment as the API shows it, and the sellers' wallets; polled until wallet and ledger have applied it. */
export function livePanel(view: PaymentView, wallets: readonly WalletLine[] | undefined): Html {
  return html`<div data-done="${String(view.done)}">
<table>
<tr><th>Status</th><td id="status">${view.status}</td></tr>
<tr><th>Amount</th><td>${won(view.amount)}</td></tr>
<tr><th>Refundable balance</th><td id="balance">${won(view.balanceAmount)}</td></tr>
${view.failure ? html`<tr><th>Failure</th><td id="failure"><code>${view.failure.code}</code> ${view.failure.message}</td></tr>` : ''}
<tr><th>Wallet</th><td id="wallet-settled">${yes(view.walletSettled, 'settled')}</td></tr>
<tr><th>Ledger</th><td id="ledger-recorded">${yes(view.ledgerRecorded, 'recorded')}</td></tr>
</table>
${view.done ? html`<p class="ok" id="settled">Settled: wallet and ledger have applied the latest event.</p>` : ''}
<h3>History</h3>
<table id="events"><tr><th>#</th><th>Event</th><th>At</th></tr>
${view.events.map((event) => html`<tr><td>${event.seq}</td><td>${event.type}</td><td>${event.at}</td></tr>`)}</table>
${
  wallets
    ? html`<h3>Seller wallets <small>(back office view, operator credentials)</small></h3>
<table id="wallets">${wallets.map(
        (wallet) =>
          html`<tr><td>${wallet.sellerId}</td><td data-seller="${wallet.sellerId}">${
            wallet.balance === undefined ? 'no wallet yet' : won(wallet.balance)
          }</td></tr>`,
      )}</table>`
    : ''
}
</div>`;
}

/** Refreshes the live panel from the server until the payment is settled. */
function poller(orderId: string): Html {
  return html`<script>
(function poll() {
  const live = document.getElementById('live');
  if (live.firstElementChild && live.firstElementChild.dataset.done === 'true') return;
  setTimeout(async () => {
    try {
      const response = await fetch(${scriptValue(`/orders/${encodeURIComponent(orderId)}/live`)});
      if (response.ok) live.innerHTML = await response.text();
    } finally { poll(); }
  }, 500);
})();
</script>`;
}

export function successPage(view: PaymentView, wallets: readonly WalletLine[] | undefined): string {
  const heading =
    view.status === 'UNKNOWN' ? 'Your payment is being confirmed' : 'Thank you, your payment is approved';
  return page(
    'Payment approved',
    html`<h1 id="heading">${heading}</h1>${nav}
<p>Order <a id="order-link" href="/orders/${view.orderId}"><code>${view.orderId}</code></a></p>
<div class="box" id="live">${livePanel(view, wallets)}</div>${poller(view.orderId)}`,
  );
}

export function orderPage(
  view: PaymentView,
  wallets: readonly WalletLine[] | undefined,
  message: Flash,
  refundKey: string,
): string {
  const refundable = view.status === 'SUCCESS' || view.status === 'PARTIAL_CANCELED';
  return page(
    `Order ${view.orderId}`,
    html`<h1>Order <code>${view.orderId}</code></h1>${nav}${flash(message)}
<div class="box" id="live">${livePanel(view, wallets)}</div>${poller(view.orderId)}
${view.status === 'NOT_STARTED' ? html`<p>Not paid yet. <a id="pay-now" href="/orders/${view.orderId}/pay">Pay now</a></p>` : ''}
${view.status === 'FAILURE' ? html`<p>This payment failed. <a href="/">Start a new order</a></p>` : ''}
${
  refundable
    ? html`<div class="box"><h3>Refund</h3>
<form method="post" action="/orders/${view.orderId}/refund">
<input type="hidden" name="refundKey" value="${refundKey}">
<p><button type="submit" id="refund-full" name="kind" value="full">Refund everything (${won(view.balanceAmount)})</button></p>
<p><label>Amount <input name="amount" id="refund-amount" inputmode="numeric" size="8"></label>
<button type="submit" id="refund-partial" name="kind" value="partial">Refund this amount</button></p>
</form></div>`
    : ''
}`,
  );
}

export function failurePage(code: string, message: string, orderId: string | undefined): string {
  return page(
    'Payment failed',
    html`<h1>Payment failed</h1>${nav}
<div class="box"><p>The PSP answered <code id="fail-code">${code}</code></p><p id="fail-message">${message}</p></div>
${orderId ? html`<p><a id="order-link" href="/orders/${orderId}">See the order</a> (an order that was not charged can be paid again).</p>` : ''}
<p><a href="/">Back to the shop</a></p>`,
  );
}

export function ordersPage(orders: readonly { orderId: string; createdAt: string }[]): string {
  return page(
    'Your orders',
    html`<h1>Your orders</h1>${nav}
${orders.length === 0 ? html`<p>No orders yet.</p>` : ''}
<ul>${orders.map((order) => html`<li><a href="/orders/${order.orderId}">${order.orderId}</a> · ${order.createdAt}</li>`)}</ul>`,
  );
}

/** Toss's own payment window, opened by its JS SDK with the shop's client key (against the real PSP). */
export function tossWindowPage(
  clientKey: string,
  order: { orderId: string; amount: number; orderName: string; successUrl: string; failUrl: string },
): string {
  return page(
    'Opening the payment window',
    html`<p>Opening the payment window…</p>
<script src="https://js.tosspayments.com/v1/payment"></script>
<script>
TossPayments(${scriptValue(clientKey)}).requestPayment('카드', ${scriptValue(order)})
  .catch((error) => { location.href = ${scriptValue(order.failUrl)} + '?' + new URLSearchParams({ code: error.code, message: error.message, orderId: ${scriptValue(order.orderId)} }); });
</script>`,
  );
}

export function errorPage(status: number, message: string): string {
  return page('Error', html`<h1>Something went wrong (${status})</h1>${nav}<p class="error">${message}</p>`);
}
