import type { Page } from 'playwright-core';
import { TEST_CARDS } from '../../local/psp-sim/window';
import {
  arriveAt,
  type Browser,
  doubleClick,
  type Journey,
  journey,
  launchBrowser,
  shopUrl,
  slowAnswers,
} from '../support/browser';
import { createOrder, getPayment, sim } from '../support/http-client';

/**
 * The buyer's journey in Chromium: the demo shop (served by `npm start` beside the API), the PSP
 * simulator's hosted payment window, the redirects, the server-side confirm, settlement and refunds.
 * The PSP's own record (`GET /__sim/orders/{orderId}`) is the judge of how often a card was charged.
 */

jest.setTimeout(30_000);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const orderIdIn = (url: string) => new URL(url).searchParams.get('orderId') ?? '';

type Click = (page: Page, selector: string) => Promise<void>;
const click: Click = (page, selector) => page.click(selector);

/** From the product page to the PSP's window; returns the order the shop created. */
async function checkout({ page, step }: Journey, clickOn: Click = click): Promise<string> {
  await page.goto(shopUrl());
  await step('product-page');
  await clickOn(page, '#checkout');
  await arriveAt(page, /\/__sim\/window\?/);
  return orderIdIn(page.url());
}

async function payInWindow(page: Page, card: string = TEST_CARDS.approve, clickOn: Click = click) {
  await page.fill('#card-number', card);
  await clickOn(page, '#pay');
}

async function settledOnSuccessPage({ page, step }: Journey): Promise<void> {
  await arriveAt(page, /\/success\?/);
  await step('success-page');
  await page.locator('#settled').waitFor();
  await step('settled');
  expect(await page.textContent('#status')).toBe('SUCCESS');
}

describe('the buyer in a browser', () => {
  it('buys: the window approves, the shop confirms, the payment settles and the wallets show it', () =>
    journey(browser, 'purchase-approved', async (buyer) => {
      const { page, step } = buyer;
      const orderId = await checkout(buyer);
      await step('payment-window');
      await payInWindow(page);
      await settledOnSuccessPage(buyer);

      expect(await page.textContent('#heading')).toContain('approved');
      expect(await page.textContent('#wallet-settled')).toContain('settled');
      expect(await page.textContent('#ledger-recorded')).toContain('recorded');
      expect(await page.textContent('[data-seller="seller-a"]')).toMatch(/^₩[\d,]+$/);
      expect(await page.textContent('[data-seller="seller-b"]')).toMatch(/^₩[\d,]+$/);
      expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1, amount: 10_000 });
    }));

  it.each([
    ['declined when the shop confirms', TEST_CARDS.declineAtConfirm, 'REJECT_CARD_PAYMENT', 'FAILURE'],
    [
      'refused by the card company in the window',
      TEST_CARDS.declineInWindow,
      'REJECT_CARD_COMPANY',
      'NOT_STARTED',
    ],
  ])('is %s: the failure page shows the PSP code and message', (what, card, code, status) =>
    journey(browser, what, async (buyer) => {
      const { page, step } = buyer;
      const orderId = await checkout(buyer);
      await payInWindow(page, card);
      await page.waitForURL(/\/fail\?/);
      await step('failure-page');

      expect(await page.textContent('#fail-code')).toBe(code);
      expect((await page.textContent('#fail-message'))?.trim()).not.toBe('');
      expect(orderIdIn(page.url())).toBe(orderId);
      // A decline at confirm is final; one in the window charged nothing, so the order can still be paid.
      expect((await getPayment(orderId)).json.status).toBe(status);
    }),
  );

  it('a double click on "pay" and a reload of the success page charge once', () =>
    journey(browser, 'double-click-and-reload', async (buyer) => {
      const { page, step } = buyer;
      const posts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
      });
      await slowAnswers(page, '**/checkout');
      await slowAnswers(page, '**/__sim/window/pay');
      const orderId = await checkout(buyer, doubleClick);
      await step('payment-window');
      await payInWindow(page, TEST_CARDS.approve, doubleClick);
      await settledOnSuccessPage(buyer);
      expect(orderIdIn(page.url())).toBe(orderId);
      // Both clicks reached the shop and the PSP's window: the servers saw the double click.
      expect(posts).toEqual(['/checkout', '/checkout', '/__sim/window/pay', '/__sim/window/pay']);

      await page.reload();
      await page.locator('#settled').waitFor();
      await step('reloaded');
      expect(await page.textContent('#status')).toBe('SUCCESS');

      expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
      const { json } = await getPayment(orderId);
      expect(json.events.map((event: { type: string }) => event.type)).toEqual(['PaymentConfirmed']);
    }));

  it('refunds in part, then the rest, from the order page', () =>
    journey(browser, 'refunds', async (buyer) => {
      const { page, step } = buyer;
      const orderId = await checkout(buyer);
      await payInWindow(page);
      await settledOnSuccessPage(buyer);
      await page.click('#order-link');

      await page.fill('#refund-amount', '3000');
      await page.click('#refund-partial');
      await page.locator('#flash.ok').waitFor();
      await page.locator('#settled').waitFor();
      await step('partly-refunded');
      expect(await page.textContent('#status')).toBe('PARTIAL_CANCELED');
      expect(await page.textContent('#balance')).toBe('₩7,000');

      await page.click('#refund-full');
      await page.locator('#flash.ok').waitFor();
      await page.locator('#settled').waitFor();
      await step('fully-refunded');
      expect(await page.textContent('#status')).toBe('CANCELED');
      expect(await page.textContent('#balance')).toBe('₩0');
      expect(await page.locator('#refund-full').count()).toBe(0);

      expect(await sim.truth(orderId)).toMatchObject({
        status: 'CANCELED',
        balanceAmount: 0,
        confirmCalls: 1,
        cancelCalls: 2,
      });
    }));

  it('the buyer closes the window: the order stays NOT_STARTED and is paid later (through a 3-D Secure wait)', () =>
    journey(browser, 'window-closed', async (buyer) => {
      const orderId = await checkout(buyer);
      await buyer.step('payment-window');
      await buyer.page.close();
      expect((await getPayment(orderId)).json.status).toBe('NOT_STARTED');

      const later = await buyer.newPage();
      await later.goto(`${shopUrl()}/orders/${orderId}`);
      await buyer.step('order-not-paid');
      expect(await later.textContent('#status')).toBe('NOT_STARTED');
      await later.click('#pay-now');
      await later.waitForURL(/\/__sim\/window\?/);
      await payInWindow(later, TEST_CARDS.threeDSecure);
      await later.locator('#three-ds').waitFor();
      await buyer.step('three-d-secure');
      await settledOnSuccessPage({ ...buyer, page: later });

      expect(await sim.truth(orderId)).toMatchObject({ status: 'DONE', confirmCalls: 1 });
    }));
});

describe("the shop's server, without a browser", () => {
  it('refuses an incomplete success redirect with 400 and confirms nothing', async () => {
    const { orderId } = await createOrder();
    const response = await fetch(`${shopUrl()}/success?${new URLSearchParams({ orderId, amount: '10000' })}`);
    expect(response.status).toBe(400);
    expect((await getPayment(orderId)).json.status).toBe('NOT_STARTED');
  });

  it('sends a forged success redirect (a paymentKey the PSP never issued) to the failure page, the order still payable', async () => {
    const { orderId, amount } = await createOrder();
    const forged = new URLSearchParams({ paymentKey: 'tsim_forged', orderId, amount: String(amount) });
    const response = await fetch(`${shopUrl()}/success?${forged}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const failure = new URL(response.headers.get('location') ?? '', shopUrl());
    expect(failure.pathname).toBe('/fail');
    expect(failure.searchParams.get('code')).toBe('PAYMENT_SESSION_NOT_FOUND');
    expect((await getPayment(orderId)).json.status).toBe('NOT_STARTED');
  });

  it('answers an order that does not exist with a 404 page', async () => {
    const response = await fetch(`${shopUrl()}/orders/ord_doesnotexist0000`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
