import { type PspSimulator, startPspSimulator } from '../../local/psp-sim/server';
import { TEST_CARDS } from '../../local/psp-sim/window';

const SECRET_KEY = 'test_sk_window';
const ORDER = { orderId: 'order-window-1', amount: '10000', orderName: 'Two books' };
const SHOP = 'http://shop.test';

let sim: PspSimulator;
beforeEach(async () => {
  sim = await startPspSimulator({ port: 0, secretKey: SECRET_KEY });
});
afterEach(() => sim.close());

function windowQuery(overrides: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    ...ORDER,
    successUrl: `${SHOP}/success?from=window`,
    failUrl: `${SHOP}/fail`,
    ...overrides,
  });
}

/** The window's hidden fields, as the browser would post them back. */
async function openWindow(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const response = await fetch(`${sim.url}/__sim/window?${windowQuery(overrides)}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await response.text();
  const fields: Record<string, string> = {};
  for (const [, name = '', value = ''] of page.matchAll(
    /<input type="hidden" name="(\w+)" value="([^"]*)">/g,
  ))
    fields[name] = value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
  return fields;
}

async function pay(fields: Record<string, string>): Promise<Response> {
  return fetch(`${sim.url}/__sim/window/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

function location(response: Response): URL {
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '');
}

async function confirmAtPsp(paymentKey: string, amount = 10_000) {
  const response = await fetch(`${sim.url}/v1/payments/confirm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
    },
    body: JSON.stringify({ paymentKey, orderId: ORDER.orderId, amount }),
  });
  return { status: response.status, json: await response.json() };
}

describe('PSP simulator: the hosted payment window', () => {
  it('approves a card and redirects to successUrl with paymentKey, orderId and amount; the paymentKey confirms', async () => {
    const fields = await openWindow();
    const target = location(await pay({ ...fields, cardNumber: TEST_CARDS.approve, action: 'pay' }));

    expect(`${target.origin}${target.pathname}`).toBe(`${SHOP}/success`);
    expect(target.searchParams.get('from')).toBe('window');
    expect(target.searchParams.get('orderId')).toBe(ORDER.orderId);
    expect(target.searchParams.get('amount')).toBe(ORDER.amount);
    const paymentKey = target.searchParams.get('paymentKey') ?? '';
    await expect(confirmAtPsp(paymentKey)).resolves.toMatchObject({ status: 200, json: { status: 'DONE' } });
  });

  it('the same window paying twice (a double click) gets the same paymentKey', async () => {
    const fields = await openWindow();
    const first = location(await pay({ ...fields, cardNumber: TEST_CARDS.approve, action: 'pay' }));
    const second = location(await pay({ ...fields, cardNumber: TEST_CARDS.approve, action: 'pay' }));
    expect(second.searchParams.get('paymentKey')).toBe(first.searchParams.get('paymentKey'));

    const another = location(
      await pay({ ...(await openWindow()), cardNumber: TEST_CARDS.approve, action: 'pay' }),
    );
    expect(another.searchParams.get('paymentKey')).not.toBe(first.searchParams.get('paymentKey'));
  });

  it.each([
    ['the buyer cancels', { action: 'cancel' }, 'PAY_PROCESS_CANCELED'],
    [
      'the card company refuses',
      { action: 'pay', cardNumber: TEST_CARDS.declineInWindow },
      'REJECT_CARD_COMPANY',
    ],
  ])('%s: redirects to failUrl with code, message and orderId', async (_, form, code) => {
    const target = location(await pay({ ...(await openWindow()), ...form }));
    expect(`${target.origin}${target.pathname}`).toBe(`${SHOP}/fail`);
    expect(Object.fromEntries(target.searchParams)).toEqual({
      code,
      message: expect.any(String),
      orderId: ORDER.orderId,
    });
  });

  it('a 3-D Secure card waits for the issuer step before redirecting', async () => {
    const fields = await openWindow();
    const step = await pay({ ...fields, cardNumber: TEST_CARDS.threeDSecure, action: 'pay' });
    expect(step.status).toBe(200);
    expect(await step.text()).toContain('name="threeDs" value="passed"');

    const target = location(
      await pay({ ...fields, cardNumber: TEST_CARDS.threeDSecure, threeDs: 'passed', action: 'pay' }),
    );
    expect(target.searchParams.get('paymentKey')).toMatch(/^tsim_/);
  });

  it('a card declined at confirm authenticates in the window, then the confirm is declined', async () => {
    const target = location(
      await pay({ ...(await openWindow()), cardNumber: TEST_CARDS.declineAtConfirm, action: 'pay' }),
    );
    const answer = await confirmAtPsp(target.searchParams.get('paymentKey') ?? '');
    expect(answer).toMatchObject({ status: 403, json: { code: 'REJECT_CARD_PAYMENT' } });
  });

  it('asks again for a card number that is not 16 digits, and refuses an order it cannot redirect', async () => {
    const again = await pay({ ...(await openWindow()), cardNumber: '1234', action: 'pay' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('id="window-error"');

    const noUrl = await fetch(
      `${sim.url}/__sim/window?${windowQuery({ successUrl: 'javascript:alert(1)' })}`,
    );
    expect(noUrl.status).toBe(400);
    const badAmount = await fetch(`${sim.url}/__sim/window?${windowQuery({ amount: '-5' })}`);
    expect(badAmount.status).toBe(400);
  });

  it('escapes what the shop sent into the page', async () => {
    const response = await fetch(
      `${sim.url}/__sim/window?${windowQuery({ orderName: '<script>x</script>' })}`,
    );
    const page = await response.text();
    expect(page).not.toContain('<script>x</script>');
    expect(page).toContain('&#60;script&#62;x&#60;/script&#62;');
  });
});
