import { randomBytes, randomInt } from 'node:crypto';
import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { toTossPayment } from './payment-object';
import { newTransactionKey, type Order, type VirtualAccountRecord } from './state';
import { optionalString } from './validate';

/** The method value Toss spells for virtual-account payments. */
export const VIRTUAL_ACCOUNT_METHOD = '가상계좌';
/** Toss's default validity of an issued account: 168 hours (7 days). */
const DEFAULT_VALID_HOURS = 168;
const MAX_VALID_HOURS = 2_160;

/**
 * The account a virtual-account session will issue: `dueDate` (ISO-8601) or `validHours` (default
 * 168), `customerName`, `bank` (a bank code, default "20").
 */
export function virtualAccountOf(fields: Record<string, unknown>, now: Date): VirtualAccountRecord {
  return {
    bankCode: optionalString(fields, 'bank') ?? '20',
    accountNumber: `X${randomInt(10 ** 12, 10 ** 13)}`,
    customerName: optionalString(fields, 'customerName') ?? '토스페이',
    dueDate: dueDateOf(fields, now).toISOString(),
    expired: false,
    transactionKey: null,
    refundReceiveAccount: null,
  };
}

function dueDateOf(fields: Record<string, unknown>, now: Date): Date {
  const { dueDate, validHours } = fields;
  if (dueDate !== undefined) {
    const at = typeof dueDate === 'string' ? new Date(dueDate) : new Date(Number.NaN);
    if (Number.isNaN(at.getTime()))
      throw new TossError('INVALID_REQUEST', 'dueDate must be an ISO-8601 time.');
    return at;
  }
  const hours = validHours ?? DEFAULT_VALID_HOURS;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_VALID_HOURS) {
    throw new TossError('INVALID_REQUEST', `validHours must be an integer in 1-${MAX_VALID_HOURS}.`);
  }
  return new Date(now.getTime() + hours * 3_600_000);
}

/** The confirm of a virtual-account session issues the account: WAITING_FOR_DEPOSIT, no approval yet. */
export function issueAccount(order: Order, account: VirtualAccountRecord): void {
  order.status = 'WAITING_FOR_DEPOSIT';
  order.secret = `ps_${randomBytes(16).toString('hex')}`;
  account.transactionKey = newTransactionKey();
}

/** Past its due date an account takes no deposit; Toss marks it expired without a status change. */
export function refreshExpiry(account: VirtualAccountRecord, now: Date): void {
  if (!account.expired && now.getTime() > Date.parse(account.dueDate)) account.expired = true;
}

function awaitingAccount(req: SimRequest, env: SimEnv): { order: Order; account: VirtualAccountRecord } {
  const order = env.state.orders.get(req.param);
  if (!order) throw new TossError('NOT_FOUND_PAYMENT');
  const account = order.virtualAccount;
  if (!account) throw new TossError('INVALID_REQUEST', 'The order is not a virtual-account payment.');
  return { order, account };
}

/** POST /__sim/orders/{orderId}/deposit — the buyer pays the whole amount into the account. */
export function deposit(req: SimRequest, env: SimEnv): Reply {
  const { order, account } = awaitingAccount(req, env);
  const now = env.clock();
  refreshExpiry(account, now);
  if (order.status !== 'WAITING_FOR_DEPOSIT' || account.expired) {
    throw new TossError(
      'INVALID_REQUEST',
      `The account takes no deposit (${order.status}, expired ${account.expired}).`,
    );
  }
  order.status = 'DONE';
  order.approval = { transactionKey: newTransactionKey(), approvedAt: now };
  account.transactionKey = order.approval.transactionKey;
  env.statusChanged(order);
  return json(200, toTossPayment(order));
}

/**
 * POST /__sim/orders/{orderId}/deposit-error — the bank takes the deposit back (Toss: DONE →
 * WAITING_FOR_DEPOSIT; the buyer is to deposit again).
 */
export function depositError(req: SimRequest, env: SimEnv): Reply {
  const { order, account } = awaitingAccount(req, env);
  if (order.status !== 'DONE' || order.cancels.length > 0) {
    throw new TossError('INVALID_REQUEST', `Only an untouched deposit can fail (${order.status}).`);
  }
  order.status = 'WAITING_FOR_DEPOSIT';
  order.approval = null;
  account.transactionKey = newTransactionKey();
  env.statusChanged(order);
  return json(200, toTossPayment(order));
}

/**
 * POST /__sim/orders/{orderId}/expire — the due date passes now: the account is marked expired and
 * keeps its status, and no webhook goes out (as Toss documents).
 */
export function expire(req: SimRequest, env: SimEnv): Reply {
  const { order, account } = awaitingAccount(req, env);
  if (order.status !== 'WAITING_FOR_DEPOSIT') {
    throw new TossError('INVALID_REQUEST', `Only an unpaid account expires (${order.status}).`);
  }
  const now = env.clock();
  if (Date.parse(account.dueDate) > now.getTime()) account.dueDate = now.toISOString();
  account.expired = true;
  return json(200, toTossPayment(order));
}
