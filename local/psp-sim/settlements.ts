import { TossError } from './errors';
import { json, type Reply, type SimEnv, type SimRequest } from './http';
import { cancelObject, MERCHANT_ID, vatOf } from './payment-object';
import type { CancelRecord, Order, SimState } from './state';
import { addDays, isIsoDate, kstDate, toKstIso } from './time';

const MAX_PAGE_SIZE = 5000;
const DEFAULT_PAGE_SIZE = 100;
/** A flat card fee, enough to give fees, VAT and payout amounts realistic shapes. */
const FEE_RATE = 0.032;
/** Card sales are paid out a few days after the sale; the simulator uses a fixed D+2. */
const PAYOUT_DELAY_DAYS = 2;
const MAX_PAGE_DELAY_MS = 10 * 60 * 1000;
const DATE_TYPES = ['soldDate', 'paidOutDate'] as const;

/** One money movement at the PSP: an approval, or a cancel (negative amount). */
interface Movement {
  order: Order;
  approvedAt: Date;
  transactionKey: string;
  amount: number;
  at: Date;
  /** 0 for the approval, n for the order's n-th cancel: a stable tie-breaker. */
  rank: number;
  /** The cancel a negative row settles. */
  cancel?: CancelRecord;
}

/**
 * GET /v1/settlements — rows for the approvals and cancels whose date (`dateType`: soldDate by
 * default, or paidOutDate) lies in the range. A day-cycle merchant: a row's soldDate is the day of
 * its movement, and its rows appear from the next day (Seoul), as Toss serves them.
 */
export async function listSettlements(req: SimRequest, env: SimEnv): Promise<Reply> {
  const { startDate, endDate, dateType, page, size } = parseQuery(req.query);
  const { pageDelayMs, asOf } = env.state.settlements;
  const today = kstDate(asOf ?? env.clock());
  if (pageDelayMs > 0) await env.sleep(pageDelayMs);
  const rows = movements(env.state)
    .filter((movement) => {
      const soldDate = kstDate(movement.at);
      const date = dateType === 'soldDate' ? soldDate : addDays(soldDate, PAYOUT_DELAY_DAYS);
      return soldDate < today && date >= startDate && date <= endDate;
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
        cancel,
      });
    });
  }
  return result;
}

/** Rounds half away from zero, so a cancel row mirrors its approval row exactly. */
const roundAway = (value: number) => Math.sign(value) * Math.round(Math.abs(value));

/** A Toss Settlement object; a cancel's row is negative (the fee comes back) and carries the cancel. */
function toRow({ order, approvedAt, transactionKey, amount, at, cancel }: Movement) {
  const fee = roundAway(amount * FEE_RATE);
  const feeVat = Math.sign(fee) * vatOf(Math.abs(fee));
  const soldDate = kstDate(at);
  return {
    mId: MERCHANT_ID,
    paymentKey: order.paymentKey,
    transactionKey,
    orderId: order.orderId,
    currency: 'KRW',
    method: '카드',
    approvedAt: toKstIso(approvedAt),
    soldDate,
    paidOutDate: addDays(soldDate, PAYOUT_DELAY_DAYS),
    cancel: cancel ? cancelObject(cancel) : null,
    amount,
    interestFee: 0,
    fees: [{ type: 'BASE', fee }],
    fee,
    supplyAmount: fee - feeVat,
    vat: feeVat,
    payOutAmount: amount - fee,
  };
}

/** POST /__sim/settlements — how the settlement pages answer: `pageDelayMs`, `asOf` (null: now). */
export function controlSettlements(req: SimRequest, env: SimEnv): Reply {
  const fields = req.body;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new TossError('INVALID_REQUEST', 'The body must be a JSON object.');
  }
  const { pageDelayMs, asOf } = fields as Record<string, unknown>;
  const control = env.state.settlements;
  if (pageDelayMs !== undefined) {
    if (
      !(Number.isInteger(pageDelayMs) && Number(pageDelayMs) >= 0 && Number(pageDelayMs) <= MAX_PAGE_DELAY_MS)
    ) {
      throw new TossError('INVALID_REQUEST', `pageDelayMs must be an integer in 0-${MAX_PAGE_DELAY_MS}.`);
    }
    control.pageDelayMs = Number(pageDelayMs);
  }
  if (asOf === null) control.asOf = undefined;
  else if (asOf !== undefined) {
    const instant = typeof asOf === 'string' ? new Date(asOf) : new Date(Number.NaN);
    if (Number.isNaN(instant.getTime()))
      throw new TossError('INVALID_REQUEST', 'asOf must be an ISO instant.');
    control.asOf = instant;
  }
  return json(200, { pageDelayMs: control.pageDelayMs, asOf: control.asOf?.toISOString() ?? null });
}

function parseQuery(query: URLSearchParams) {
  const startDate = dateParam(query, 'startDate');
  const endDate = dateParam(query, 'endDate');
  if (startDate > endDate) throw new TossError('INVALID_REQUEST', 'startDate must not be after endDate.');
  const dateType = query.get('dateType') ?? 'soldDate';
  if (!DATE_TYPES.some((type) => type === dateType)) {
    throw new TossError('INVALID_REQUEST', `dateType must be one of ${DATE_TYPES.join(', ')}.`);
  }
  return {
    startDate,
    endDate,
    dateType,
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
