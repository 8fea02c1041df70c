import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { MERCHANT_ID, vatOf } from './payment-object';
import type { Order, SimState } from './state';
import { addDays, isIsoDate, kstDate, toKstIso } from './time';

const MAX_PAGE_SIZE = 5000;
const DEFAULT_PAGE_SIZE = 100;
/** A flat card fee, enough to give fees, VAT and payout amounts realistic shapes. */
const FEE_RATE = 0.032;
/** Card sales are paid out a few days after the sale; the simulator uses a fixed D+2. */
const PAYOUT_DELAY_DAYS = 2;

/** One money movement at the PSP: an approval, or a cancel (negative amount). */
interface Movement {
  order: Order;
  approvedAt: Date;
  transactionKey: string;
  amount: number;
  at: Date;
  /** 0 for the approval, n for the order's n-th cancel: a stable tie-breaker. */
  rank: number;
}

/** GET /v1/settlements — rows for the approvals and cancels whose Seoul date lies in the range. */
export function listSettlements(req: SimRequest, env: SimEnv): Reply {
  const { startDate, endDate, page, size } = parseQuery(req.query);
  const rows = movements(env.state)
    .filter((movement) => {
      const soldDate = kstDate(movement.at);
      return soldDate >= startDate && soldDate <= endDate;
    })
    .sort(
      (a, b) =>
        a.at.getTime() - b.at.getTime() ||
        (a.order.orderId < b.order.orderId ? -1 : a.order.orderId > b.order.orderId ? 1 : 0) ||
        a.rank - b.rank,
    )
    .slice((page - 1) * size, page * size)
    .map(toRow);
  return json(200, rows);
}

function movements(state: SimState): Movement[] {
  const result: Movement[] = [];
  for (const order of state.orders.values()) {
    if (!order.approval) continue;
    const { transactionKey, approvedAt } = order.approval;
    result.push({ order, approvedAt, transactionKey, amount: order.amount, at: approvedAt, rank: 0 });
    order.cancels.forEach((cancel, index) => {
      result.push({
        order,
        approvedAt,
        transactionKey: cancel.transactionKey,
        amount: -cancel.cancelAmount,
        at: cancel.canceledAt,
        rank: index + 1,
      });
    });
  }
  return result;
}

/** Rounds half away from zero, so a cancel row mirrors its approval row exactly. */
const roundAway = (value: number) => Math.sign(value) * Math.round(Math.abs(value));

function toRow({ order, approvedAt, transactionKey, amount, at }: Movement) {
  const fee = roundAway(amount * FEE_RATE);
  const feeVat = Math.sign(fee) * vatOf(Math.abs(fee));
  const soldDate = kstDate(at);
  return {
    mId: MERCHANT_ID,
    paymentKey: order.paymentKey,
    transactionKey,
    orderId: order.orderId,
    currency: 'KRW',
    method: 'CARD',
    amount,
    interestFreeAmount: 0,
    approvedAt: toKstIso(approvedAt),
    soldDate,
    paidOutDate: addDays(soldDate, PAYOUT_DELAY_DAYS),
    fees: [{ type: 'BASE', fee }],
    supplyAmount: fee - feeVat,
    vat: feeVat,
    payOutAmount: amount - fee,
  };
}

function parseQuery(query: URLSearchParams) {
  const startDate = dateParam(query, 'startDate');
  const endDate = dateParam(query, 'endDate');
  if (startDate > endDate) throw new TossError('INVALID_REQUEST', 'startDate must not be after endDate.');
  return {
    startDate,
    endDate,
    page: intParam(query, 'page', 1, Number.MAX_SAFE_INTEGER),
    size: intParam(query, 'size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

function dateParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || !isIsoDate(value))
    throw new TossError('INVALID_REQUEST', `${name} must be YYYY-MM-DD.`);
  return value;
}

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  const parsed = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= 1 && parsed <= max))
    throw new TossError('INVALID_REQUEST', `${name} must be an integer in 1-${max}.`);
  return parsed;
}
