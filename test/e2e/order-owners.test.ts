/**
 * Orders belong to the principal that created them, over signed HTTP: another shop is told the order
 * does not exist (404, as for an unknown id: existence is not leaked) on read, confirm and cancel, and
 * nothing changes at the PSP or here; the operator may read and cancel every order, but not confirm
 * another's. Locally the stack runs two shops (LOCAL_SHOP_CREDENTIALS); against a deployed API this
 * needs E2E_SHOP_PROFILE, E2E_OTHER_SHOP_PROFILE and E2E_OPERATOR_PROFILE, the operator's role listed
 * in the deploy profile's operatorPrincipals.
 */
import { randomUUID } from 'node:crypto';
import {
  api,
  createOrder,
  expectProblem,
  getPayment,
  type HttpAnswer,
  newKey,
  postConfirm,
  pspUrl,
  sim,
} from '../support/http-client';

const deployed = Boolean(process.env.E2E_BASE_URL);
const threePrincipals =
  !deployed ||
  Boolean(
    process.env.E2E_SHOP_PROFILE && process.env.E2E_OTHER_SHOP_PROFILE && process.env.E2E_OPERATOR_PROFILE,
  );
const describeOwners = threePrincipals && (!deployed || pspUrl()) ? describe : describe.skip;

/** The 404 of an id nobody holds, with the id taken out, to compare another shop's answer with. */
/** The answer with the order id and its own request id (`instance`, new per request) masked. */
function notFoundShape(answer: HttpAnswer, orderId: string): unknown {
  const instance = (answer.json as { instance?: string } | undefined)?.instance;
  const body = answer.text.replaceAll(orderId, '<id>');
  return {
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    body: instance ? body.replaceAll(instance, '<request>') : body,
  };
}

describeOwners('owners of orders', () => {
  it('another shop gets 404 on read, confirm and cancel; nothing changes', async () => {
    const order = await createOrder();
    const paymentKey = await sim.session(order.orderId, order.amount);
    const confirmBody = { ...order, paymentKey };
    const unknownId = `ord_${randomUUID().replaceAll('-', '')}`;
    const unknown = await api('GET', `/payments/${unknownId}`, { as: 'otherShop' });
    expectProblem(unknown, 404, 'ORDER_NOT_FOUND');

    // Confirm by another shop before the owner: refused, the PSP never asked.
    const stolenConfirm = await api('POST', '/payments/confirm', { body: confirmBody, as: 'otherShop' });
    expectProblem(stolenConfirm, 404, 'ORDER_NOT_FOUND');
    expect((await sim.truth(order.orderId)).confirmCalls).toBe(0);
    expect((await getPayment(order.orderId)).json.status).toBe('NOT_STARTED');

    expect((await postConfirm(confirmBody)).status).toBe(200);
    // The same request again by another shop: not a replay of the owner's stored answer.
    const afterOwner = await api('POST', '/payments/confirm', { body: confirmBody, as: 'otherShop' });
    expectProblem(afterOwner, 404, 'ORDER_NOT_FOUND');
    expect(afterOwner.headers.get('idempotent-replayed')).toBeNull();

    const read = await api('GET', `/payments/${order.orderId}`, { as: 'otherShop' });
    expectProblem(read, 404, 'ORDER_NOT_FOUND');
    expect(notFoundShape(read, order.orderId)).toEqual(notFoundShape(unknown, unknownId));
    expect(read.text).not.toContain(paymentKey);

    const cancel = await api('POST', `/payments/${order.orderId}/cancel`, {
      as: 'otherShop',
      body: { cancelReason: 'not mine', cancelAmount: 1_000 },
      headers: { 'Idempotency-Key': newKey('steal') },
    });
    expectProblem(cancel, 404, 'ORDER_NOT_FOUND');
    expect(await sim.truth(order.orderId)).toMatchObject({
      status: 'DONE',
      balanceAmount: order.amount,
      cancelCalls: 0,
      confirmCalls: 1,
    });
    const owner = await getPayment(order.orderId);
    expect(owner.json).toMatchObject({ status: 'SUCCESS', balanceAmount: order.amount, paymentKey });
    expect(owner.json.events).toHaveLength(1);
  });

  it('the operator reads and cancels any order, but does not confirm another’s', async () => {
    const order = await createOrder();
    const paymentKey = await sim.session(order.orderId, order.amount);
    const byOperator = await api('POST', '/payments/confirm', {
      body: { ...order, paymentKey },
      as: 'operator',
    });
    expectProblem(byOperator, 404, 'ORDER_NOT_FOUND');
    expect((await sim.truth(order.orderId)).confirmCalls).toBe(0);
    expect((await postConfirm({ ...order, paymentKey })).status).toBe(200);

    const read = await api('GET', `/payments/${order.orderId}`, { as: 'operator' });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ orderId: order.orderId, status: 'SUCCESS', paymentKey });

    const cancel = await api('POST', `/payments/${order.orderId}/cancel`, {
      as: 'operator',
      body: { cancelReason: 'refund by support', cancelAmount: 4_000 },
      headers: { 'Idempotency-Key': newKey('support') },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.json).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: order.amount - 4_000 });
    expect((await sim.truth(order.orderId)).balanceAmount).toBe(order.amount - 4_000);
    // The owner sees the operator's cancel.
    expect((await getPayment(order.orderId)).json.balanceAmount).toBe(order.amount - 4_000);
  });
});
