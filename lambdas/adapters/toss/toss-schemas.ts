import * as v from 'valibot';
import type { PspPayment, PspSettlement } from '../../ports/psp';

/**
 * The parts of Toss's Payment object we rely on. Lenient on purpose: unknown fields are dropped,
 * and fields Toss sends as null when empty (approvedAt, cancels) are accepted as absent.
 */
const int = v.pipe(v.number(), v.safeInteger());

const TossPaymentSchema = v.object({
  paymentKey: v.string(),
  orderId: v.string(),
  status: v.string(),
  totalAmount: int,
  balanceAmount: int,
  approvedAt: v.nullish(v.string()),
  cancels: v.nullish(
    v.array(
      v.object({
        transactionKey: v.string(),
        cancelAmount: int,
        canceledAt: v.string(),
        cancelStatus: v.nullish(v.string()),
      }),
    ),
  ),
});

/** Toss's error body: `{ code, message }`. */
const TossErrorSchema = v.object({ code: v.string(), message: v.string() });

/** Toss's error body, or undefined when the body is something else (a proxy's page, nothing). */
export function parseTossError(body: unknown): v.InferOutput<typeof TossErrorSchema> | undefined {
  const parsed = v.safeParse(TossErrorSchema, body);
  return parsed.success ? parsed.output : undefined;
}

export function parseTossPayment(body: unknown): PspPayment | undefined {
  const parsed = v.safeParse(TossPaymentSchema, body);
  if (!parsed.success) return undefined;
  const { approvedAt, cancels, ...payment } = parsed.output;
  // Only a cancel Toss reports DONE moved money; one in progress or aborted is not recorded.
  const done = (cancels ?? [])
    .filter((c) => c.cancelStatus === 'DONE')
    .map(({ transactionKey, cancelAmount, canceledAt }) => ({ transactionKey, cancelAmount, canceledAt }));
  return { ...payment, ...(approvedAt ? { approvedAt } : {}), cancels: done };
}

/** Toss writes a fee as a number, or (in some documented answers) as a numeric string. */
const money = v.union([int, v.pipe(v.string(), v.regex(/^-?\d{1,15}$/), v.transform(Number))]);

/**
 * The parts of Toss's Settlement object we rely on. A cancel is a row of its own with a negative
 * amount, fee and payout and a `cancel` object; `fee` is the total of `fees` (older answers carry
 * only `fees`), and `payOutAmount` the amount less what the PSP keeps.
 */
const TossSettlementsSchema = v.array(
  v.object({
    orderId: v.string(),
    paymentKey: v.string(),
    transactionKey: v.string(),
    amount: int,
    fee: v.nullish(money),
    fees: v.nullish(v.array(v.object({ fee: money }))),
    payOutAmount: v.nullish(money),
    approvedAt: v.nullish(v.string()),
  }),
);

export function parseTossSettlements(body: unknown): PspSettlement[] | undefined {
  const parsed = v.safeParse(TossSettlementsSchema, body);
  if (!parsed.success) return undefined;
  return parsed.output.map(({ orderId, paymentKey, transactionKey, amount, approvedAt, ...charges }) => {
    const fee = charges.fee ?? (charges.fees ?? []).reduce((sum, part) => sum + part.fee, 0);
    return {
      orderId,
      paymentKey,
      transactionKey,
      amount,
      fee,
      payOutAmount: charges.payOutAmount ?? amount - fee,
      ...(approvedAt ? { approvedAt } : {}),
    };
  });
}
