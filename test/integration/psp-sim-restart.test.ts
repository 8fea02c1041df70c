/**
 * The PSP simulator keeps its state in the local data folder (DESIGN §9): stopped and started
 * again on the same file, it knows every order, balance, queued scenario and stored idempotent
 * outcome; a confirm that was in flight when it stopped left nothing approved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PspSimulator, startPspSimulator } from '../../local/psp-sim/server';

const SECRET_KEY = 'test_sk_restart';
const AUTH = `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`;

let dir: string;
let sim: PspSimulator;

const start = async () => {
  sim = await startPspSimulator({
    port: 0,
    secretKey: SECRET_KEY,
    stateFile: join(dir, 'psp', 'state.jsonl'),
  });
};

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function approved(
  orderId: string,
  amount: number,
  key: string,
): Promise<{ paymentKey: string; text: string }> {
  const session = await call('POST', '/__sim/sessions', { orderId, amount });
  const paymentKey = session.json.paymentKey as string;
  const answer = await call(
    'POST',
    '/v1/payments/confirm',
    { paymentKey, orderId, amount },
    { 'Idempotency-Key': key },
  );
  expect(answer.status).toBe(200);
  return { paymentKey, text: answer.text };
}

const truth = async (orderId: string) => (await call('GET', `/__sim/orders/${orderId}`)).json;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'psp-sim-restart-'));
  await start();
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PSP simulator across restarts', () => {
  it('keeps orders, balances, scenarios and stored idempotent outcomes', async () => {
    const first = await approved('restart-1', 10_000, 'key-1');
    const cancel = await call(
      'POST',
      `/v1/payments/${first.paymentKey}/cancel`,
      { cancelReason: 'partial', cancelAmount: 2_500 },
      { 'Idempotency-Key': 'cancel-1' },
    );
    expect(cancel.status).toBe(200);
    await call('POST', '/__sim/sessions', { orderId: 'restart-2', amount: 5_000 });
    await call('POST', '/__sim/scenarios', {
      orderId: 'restart-2',
      actions: ['decline:REJECT_CARD_PAYMENT'],
    });
    // Looked up first: the look-up count is part of the truth that must survive the restart.
    const lookup = (await call('GET', '/v1/payments/orders/restart-1')).text;
    const before = [await truth('restart-1'), await truth('restart-2')];

    await sim.close();
    await start();

    expect([await truth('restart-1'), await truth('restart-2')]).toEqual(before);
    expect((await call('GET', '/v1/payments/orders/restart-1')).text).toBe(lookup);
    // The stored outcome replays byte for byte; a new key finds the payment already processed.
    const replay = await call(
      'POST',
      '/v1/payments/confirm',
      { paymentKey: first.paymentKey, orderId: 'restart-1', amount: 10_000 },
      { 'Idempotency-Key': 'key-1' },
    );
    expect(replay).toMatchObject({ status: 200, text: first.text });
    // The scenario queued before the restart still decides the next confirm.
    const second = await truth('restart-2');
    const declined = await call(
      'POST',
      '/v1/payments/confirm',
      { paymentKey: second.paymentKey, orderId: 'restart-2', amount: 5_000 },
      { 'Idempotency-Key': 'key-2' },
    );
    expect(declined.json.code).toBe('REJECT_CARD_PAYMENT');
    expect((await truth('restart-2')).status).toBe('ABORTED');
  });

  it('a confirm in flight when the simulator stopped approved nothing: the session can be confirmed after', async () => {
    const session = await call('POST', '/__sim/sessions', { orderId: 'in-flight', amount: 7_000 });
    const paymentKey = session.json.paymentKey as string;
    await call('POST', '/__sim/scenarios', { orderId: 'in-flight', actions: ['latency:60000'] });
    const body = { paymentKey, orderId: 'in-flight', amount: 7_000 };
    const hanging = call('POST', '/v1/payments/confirm', body, { 'Idempotency-Key': 'key-3' }).catch(
      () => 'cut',
    );
    // Another request writes the journal while the confirm holds the order IN_PROGRESS.
    for (let i = 0; i < 50 && (await truth('in-flight')).status !== 'IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await call('POST', '/__sim/sessions', { orderId: 'other', amount: 1_000 });
    await sim.close();
    expect(await hanging).toBe('cut');
    await start();

    expect(await truth('in-flight')).toMatchObject({ status: 'READY', balanceAmount: 7_000 });
    const confirm = await call('POST', '/v1/payments/confirm', body, { 'Idempotency-Key': 'key-3' });
    expect(confirm.status).toBe(200);
    expect((await truth('in-flight')).status).toBe('DONE');
  });

  it('a reset forgets everything, also after a restart', async () => {
    await approved('reset-1', 1_000, 'key-4');
    await call('POST', '/__sim/reset');
    await sim.close();
    await start();
    expect((await call('GET', '/__sim/orders/reset-1')).status).toBe(404);
  });
});
