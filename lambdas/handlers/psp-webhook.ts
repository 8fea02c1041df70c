import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { syncOrderUseCase } from '../application/sync-order';
import { paymentGateway, paymentStore, systemClock } from '../shared/composition';
import { jsonOutcome, problemOutcome, toProxyResult } from '../shared/http';
import { logger } from '../shared/observability';
import { orderIdSchema } from '../shared/schemas';

const store = paymentStore();
const psp = paymentGateway();

/** Toss's webhook bodies are a few kB; anything far larger is not Toss. */
const MAX_BODY_BYTES = 64 * 1024;
/** The look ends well before Toss (10 s) or API Gateway gives up on us. */
const LOOK_BUDGET_MS = 6_000;
const LEASE_MS = 15_000;

/** Only what we use: which order to check. Everything else in the body is ignored, never trusted. */
const webhookSchema = z.object({
  eventType: z.string().max(64),
  data: z.object({ orderId: orderIdSchema }).loose(),
});

/** The event types that announce a payment's (or one of its cancels') status change. */
const STATUS_EVENTS: ReadonlySet<string> = new Set(['PAYMENT_STATUS_CHANGED', 'CANCEL_STATUS_CHANGED']);

/** The same answer whatever was found, so the route tells a caller nothing about which orders exist. */
function received(): APIGatewayProxyResult {
  return toProxyResult(jsonOutcome(200, { received: true }));
}

function badRequest(detail: string): APIGatewayProxyResult {
  return toProxyResult(
    problemOutcome({ status: 400, code: 'INVALID_WEBHOOK', title: 'Invalid webhook', detail }),
  );
}

/**
 * POST /webhooks/toss — public. The body is a hint: it names an order, which is then checked against
 * the PSP through the recovery path (lease, lookup, transition). Always 200 for a well-formed body, so
 * Toss does not retry what we already looked at; unknown orders and repeats cost one conditional write.
 */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const raw = event.body ?? '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return badRequest(`The body exceeds ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return badRequest('The body is not JSON.');
  }
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) return badRequest('Expected { eventType, data: { orderId } }.');
  const { eventType, data } = parsed.data;
  if (!STATUS_EVENTS.has(eventType))
    return toProxyResult(jsonOutcome(200, { received: true, checked: false }));

  const sync = syncOrderUseCase({
    store,
    psp,
    clock: systemClock,
    leaseMs: LEASE_MS,
    owner: context.awsRequestId,
  });
  const startedAt = Date.now();
  const deadline = {
    remainingMs: () =>
      Math.min(context.getRemainingTimeInMillis(), LOOK_BUDGET_MS - (Date.now() - startedAt)),
  };
  const outcome = await sync(data.orderId, deadline);
  if (outcome === 'mismatch') logger.warn('PSP webhook: the PSP and we disagree', { orderId: data.orderId });
  return received();
}
