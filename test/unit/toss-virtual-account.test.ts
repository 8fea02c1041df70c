/**
 * The Toss adapter's reading of virtual-account (가상계좌) answers: a confirm answered
 * WAITING_FOR_DEPOSIT is an issued account (with its due date and the callbacks' secret), never an
 * approval and never unknown; a refund of a deposit carries the buyer's account to Toss.
 */
import { json, setup } from './toss-fakes';

const CONFIRM = { paymentKey: 'tviva20240213121757MvuS8', orderId: 'order-va-1', amount: 15_000 };

/** Toss's Payment object of a virtual-account confirm (API version 2022-11-16, trimmed). */
function issued(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mId: 'tosspayments',
    version: '2022-11-16',
    paymentKey: CONFIRM.paymentKey,
    orderId: CONFIRM.orderId,
    status: 'WAITING_FOR_DEPOSIT',
    method: '가상계좌',
    requestedAt: '2024-02-13T12:17:57+09:00',
    approvedAt: null,
    totalAmount: 15_000,
    balanceAmount: 15_000,
    cancels: null,
    card: null,
    virtualAccount: {
      accountType: '일반',
      accountNumber: 'X6505636518308',
      bankCode: '20',
      customerName: '박토스',
      dueDate: '2024-02-20T21:05:09+09:00',
      refundStatus: 'NONE',
      expired: false,
      settlementStatus: 'INCOMPLETED',
      refundReceiveAccount: null,
    },
    secret: 'ps_Z1aOwX7K8m4bGjjA5lJr8yQxzvNP',
    ...overrides,
  };
}

const ACCOUNT = {
  bankCode: '20',
  accountNumber: 'X6505636518308',
  customerName: '박토스',
  dueDate: '2024-02-20T21:05:09+09:00',
};

describe('TossPaymentGateway and virtual accounts', () => {
  it('a confirm answered WAITING_FOR_DEPOSIT is an issued account with its due date and secret', async () => {
    const { gateway, deadline } = setup([json(200, issued())]);
    expect(await gateway.confirm(CONFIRM, deadline)).toEqual({
      kind: 'awaitingDeposit',
      payment: {
        paymentKey: CONFIRM.paymentKey,
        orderId: CONFIRM.orderId,
        status: 'WAITING_FOR_DEPOSIT',
        totalAmount: 15_000,
        balanceAmount: 15_000,
        cancels: [],
        virtualAccount: ACCOUNT,
        secret: 'ps_Z1aOwX7K8m4bGjjA5lJr8yQxzvNP',
      },
    });
  });

  it('an account issued for another amount or paymentKey is not ours to record', async () => {
    for (const overrides of [{ totalAmount: 14_000 }, { paymentKey: 'tviva_other' }]) {
      const { gateway, deadline } = setup([json(200, issued(overrides))]);
      expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown' });
    }
  });

  it('WAITING_FOR_DEPOSIT without an account says nothing we can record', async () => {
    const { gateway, deadline } = setup([json(200, issued({ virtualAccount: null }))]);
    expect(await gateway.confirm(CONFIRM, deadline)).toMatchObject({ kind: 'unknown' });
  });

  it('a lookup reads the account and whether it expired', async () => {
    const expired = issued({ virtualAccount: { ...ACCOUNT, expired: true } });
    const { gateway, deadline } = setup([json(200, expired)]);
    expect(await gateway.findByOrderId(CONFIRM.orderId, deadline)).toMatchObject({
      kind: 'found',
      payment: { status: 'WAITING_FOR_DEPOSIT', virtualAccount: { ...ACCOUNT, expired: true } },
    });
  });

  it('a refund of a deposit sends refundReceiveAccount as Toss takes it', async () => {
    const refundReceiveAccount = { bank: '20', accountNumber: '1002123456789', holderName: '김토스' };
    const canceled = issued({
      status: 'CANCELED',
      approvedAt: '2024-02-13T13:00:00+09:00',
      balanceAmount: 0,
      cancels: [
        {
          transactionKey: 'c1',
          cancelAmount: 15_000,
          canceledAt: '2024-02-14T10:00:00+09:00',
          cancelStatus: 'DONE',
        },
      ],
    });
    const { gateway, calls, deadline } = setup([json(200, canceled)]);
    const request = {
      paymentKey: CONFIRM.paymentKey,
      cancelReason: 'returned',
      cancelAmount: 15_000,
      refundableAmount: 15_000,
      idempotencyKey: 'cancel-1',
      refundReceiveAccount,
    };
    expect(await gateway.cancel(request, deadline)).toMatchObject({ kind: 'approved' });
    expect(calls[0]?.body).toMatchObject({
      cancelReason: 'returned',
      cancelAmount: 15_000,
      refundableAmount: 15_000,
      refundReceiveAccount,
    });
  });
});
