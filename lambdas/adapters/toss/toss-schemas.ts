import * as z from 'zod/mini';
import type { PspPayment, PspSettlement } from '../../ports/psp';

/**
 * The parts of Toss's Payment object we rely on. Lenient on purpose: unknown fields are dropped,
 * and fields Toss sends as null when empty (approvedAt, cancels) are accepted as absent.
 */
const TossPaymentSchema = z.object({
  paymentKey: z.string(),
  orderId: z.string(),
  status: z.string(),
  totalAmount: z.int(),
  balanceAmount: z.int(),
  approvedAt: z.nullish(z.string()),
  cancels: z.nullish(
    z.array(
      z.object({
        transactionKey: z.string(),
        cancelAmount: z.int(),
        canceledAt: z.string(),
      }),
    ),
  ),
});

/** Toss's error body: `{ code, message }`. */
export const TossErrorSchema = z.object({ code: z.string(), message: z.string() });

export function parseTossPayment(body: unknown): PspPayment | undefined {
  const parsed = TossPaymentSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { approvedAt, cancels, ...payment } = parsed.data;
  return { ...payment, ...(approvedAt ? { approvedAt } : {}), cancels: cancels ?? [] };
}

/** The parts of Toss's Settlement object we rely on; cancels come as rows with a negative amount. */
const TossSettlementsSchema = z.array(
  z.object({
    orderId: z.string(),
    paymentKey: z.string(),
    transactionKey: z.string(),
    amount: z.int(),
    approvedAt: z.nullish(z.string()),
  }),
);

export function parseTossSettlements(body: unknown): PspSettlement[] | undefined {
  const parsed = TossSettlementsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.map(({ approvedAt, ...row }) => ({ ...row, ...(approvedAt ? { approvedAt } : {}) }));
}
