import {
  approve,
  awaitDeposit,
  type Checkout,
  type Created,
  cancel,
  createPayment,
  decline,
  markUnknown,
  type Payment,
  type PaymentStatus,
  startExecution,
  type Transition,
} from '../../lambdas/domain/payment';

export const AT = '2024-02-13T03:18:14.000Z';
export const PAYMENT_KEY = 'tgen_20240213121757MvuS8';
export const APPROVED_AT = '2024-02-13T12:18:14+09:00';
export const VIRTUAL_ACCOUNT = {
  bankCode: '20',
  accountNumber: 'X6505636518308',
  customerName: '박토스',
  dueDate: '2024-02-20T23:59:59+09:00',
};

export function checkout(overrides: Partial<Checkout> = {}): Checkout {
  return {
    orderId: 'order-1',
    buyerId: 'buyer-1',
    orderName: 'Three books',
    currency: 'KRW',
    items: [
      { sellerId: 'seller-a', productId: 'book-1', amount: 1_000 },
      { sellerId: 'seller-b', productId: 'book-2', amount: 2_000 },
      { sellerId: 'seller-c', productId: 'book-3', amount: 3_000 },
    ],
    createdAt: AT,
    ...overrides,
  };
}

/** The payment of an accepted result; fails the test with the refusal otherwise. */
export function accepted(result: Created | Transition): Payment {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.reason}`);
  return result.payment;
}

/** Every operation of the state machine, with inputs that only the payment's status can refuse. */
export const operations = {
  startExecution: (p: Payment) => startExecution(p, { paymentKey: PAYMENT_KEY, amount: p.amount, at: AT }),
  approve: (p: Payment) => approve(p, { paymentKey: PAYMENT_KEY, approvedAt: APPROVED_AT, at: AT }),
  decline: (p: Payment) => decline(p, { code: 'REJECT_CARD_PAYMENT', message: 'limit exceeded', at: AT }),
  markUnknown: (p: Payment) => markUnknown(p, { at: AT }),
  awaitDeposit: (p: Payment) =>
    awaitDeposit(p, {
      paymentKey: PAYMENT_KEY,
      virtualAccount: VIRTUAL_ACCOUNT,
      depositSecret: 'ps_1',
      at: AT,
    }),
  cancelPartially: (p: Payment) => cancel(p, { cancelAmount: 1, cancelReason: 'one item returned', at: AT }),
  cancelFully: (p: Payment) => cancel(p, { cancelReason: 'order canceled', at: AT }),
} satisfies Record<string, (p: Payment) => Transition>;

export type OperationName = keyof typeof operations;

const PATHS: Record<PaymentStatus, readonly OperationName[]> = {
  NOT_STARTED: [],
  EXECUTING: ['startExecution'],
  SUCCESS: ['startExecution', 'approve'],
  FAILURE: ['startExecution', 'decline'],
  UNKNOWN: ['startExecution', 'markUnknown'],
  AWAITING_DEPOSIT: ['startExecution', 'awaitDeposit'],
  PARTIAL_CANCELED: ['startExecution', 'approve', 'cancelPartially'],
  CANCELED: ['startExecution', 'approve', 'cancelFully'],
};

/** A payment in `status`, reached through the real transitions. */
export function paymentIn(status: PaymentStatus): Payment {
  return PATHS[status].reduce(
    (p, name) => accepted(operations[name](p)),
    accepted(createPayment(checkout())),
  );
}
