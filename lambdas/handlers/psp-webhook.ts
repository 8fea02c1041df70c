import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as v from 'valibot';
import { type SyncHint, syncOrderUseCase, WEBHOOK_COALESCE_MS } from '../application/sync-order';
import { paymentStore, systemClock } from '../shared/composition';
import { jsonOutcome, problemOutcome, toProxyResult } from '../shared/http';
import { API_GATEWAY_REQUEST, observed } from '../shared/observability';
import { paymentGateway } from '../shared/psp';
import { orderIdSchema } from '../shared/schemas';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();
const { logger, metrics } = observability;

const store = paymentStore();
const psp = paymentGateway(observability);

/** Toss's webhook bodies are a few kB; anything far larger is not Toss. */
const MAX_BODY_BYTES = 64 * 1024;
/** The look (a coalesced hint's wait included) ends before Toss (10 s) or API Gateway gives up on us. */
const LOOK_BUDGET_MS = 8_000;
const LEASE_MS = 15_000;

/**
 * Only what we use: which order to check. Everything else in the body is ignored, never trusted.
 * Toss's events carry `eventType` and `data`; a status change's data is the Payment (with its orderId).
 * CANCEL_STATUS_CHANGED's data is a Cancel object, which names no order (Toss sends it for overseas
 * easy-pay cancels only): acknowledged, nothing to look up.
 */
const eventSchema = v.looseObject({
  eventType: v.pipe(v.string(), v.maxLength(64)),
  // Absent from some events (payout.changed carries `entityBody`); required where we read it.
  data: v.optional(v.looseObject({})),
});
const statusChangedSchema = v.looseObject({ orderId: orderIdSchema });

/**
 * Toss's virtual-account DEPOSIT_CALLBACK is flat: `{ createdAt, secret, status, transactionKey,
 * orderId }`, no eventType. Its status is a hint like any other; its secret must be the payment's.
 */
const depositCallbackSchema = v.looseObject({
  orderId: orderIdSchema,
  secret: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  status: v.pipe(v.string(), v.maxLength(64)),
});

const PAYMENT_STATUS_CHANGED = 'PAYMENT_STATUS_CHANGED';

/** Which order the body asks us to look at, and what it claims; `ignored` for events that name none. */
type Hint =
  | { readonly kind: 'look'; readonly orderId: string; readonly hint: SyncHint }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'invalid'; readonly detail: string };

function hintOf(body: unknown): Hint {
  const isEvent = typeof body === 'object' && body !== null && 'eventType' in body;
  if (!isEvent) {
    const callback = v.safeParse(depositCallbackSchema, body);
    if (!callback.success) {
      return {
        kind: 'invalid',
        detail: 'Expected { eventType, data } or a deposit callback { orderId, secret, status }.',
      };
    }
    const { orderId, secret } = callback.output;
    return { kind: 'look', orderId, hint: { depositSecret: secret } };
  }
  const event = v.safeParse(eventSchema, body);
  if (!event.success) return { kind: 'invalid', detail: 'Expected { eventType, data }.' };
  if (event.output.eventType !== PAYMENT_STATUS_CHANGED) return { kind: 'ignored' };
  const data = v.safeParse(statusChangedSchema, event.output.data);
  if (!data.success) return { kind: 'invalid', detail: 'Expected { eventType, data: { orderId } }.' };
  return { kind: 'look', orderId: data.output.orderId, hint: {} };
}

/** The same answer whatever was found, so the route tells a caller nothing about which orders exist. */
function received(): APIGatewayProxyResult {
  return toProxyResult(jsonOutcome(200, { received: true }));
}

function retryLater(): APIGatewayProxyResult {
  return toProxyResult(
    problemOutcome({
      status: 503,
      code: 'WEBHOOK_RETRY_LATER',
      title: 'Try again later',
      detail: 'The PSP could not be asked about the order right now; deliver this webhook again.',
    }),
  );
}

function badRequest(detail: string): APIGatewayProxyResult {
  return toProxyResult(
    problemOutcome({ status: 400, code: 'INVALID_WEBHOOK', title: 'Invalid webhook', detail }),
  );
}

/**
 * POST /webhooks/toss — public. The body is a hint: it names an order, which is then checked against
 * the PSP through the recovery path (lease, lookup, transition). 200 for a well-formed body once looked
 * at, so Toss does not retry it; unknown orders and repeats cost one conditional write. 503 only when
 * the PSP could not be asked, so the hint comes again.
 */
async function webhookHandler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const raw = event.body ?? '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return badRequest(`The body exceeds ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return badRequest('The body is not JSON.');
  }
  const parsed = hintOf(body);
  if (parsed.kind === 'invalid') return badRequest(parsed.detail);
  if (parsed.kind === 'ignored') return toProxyResult(jsonOutcome(200, { received: true, checked: false }));
  const { orderId } = parsed;

  const sync = syncOrderUseCase({
    store,
    psp,
    clock: systemClock,
    leaseMs: LEASE_MS,
    coalesceMs: WEBHOOK_COALESCE_MS,
    owner: context.awsRequestId,
  });
  const startedAt = Date.now();
  const deadline = {
    remainingMs: () =>
      Math.min(context.getRemainingTimeInMillis(), LOOK_BUDGET_MS - (Date.now() - startedAt)),
  };
  const outcome = await sync(orderId, deadline, parsed.hint);
  // Webhook hints by what the look found.
  metrics.addMetric(`WebhookHint_${outcome}`, MetricUnit.Count, 1);
  if (outcome === 'mismatch') logger.warn('PSP webhook: the PSP and we disagree', { orderId });
  // Answered like any other hint, so a forger learns nothing; the payment was not touched.
  if (outcome === 'forged') logger.warn('PSP webhook: deposit callback with a wrong secret', { orderId });
  // The PSP could not be asked: a non-200 makes Toss deliver the hint again on its schedule, so a
  // change (a console cancel, say) is not left to the nightly reconciliation.
  if (outcome === 'unreachable') return retryLater();
  return received();
}

export const handler = observed(webhookHandler, observability, API_GATEWAY_REQUEST);
