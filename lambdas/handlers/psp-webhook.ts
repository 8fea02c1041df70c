import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as v from 'valibot';
import { syncOrderUseCase, WEBHOOK_COALESCE_MS } from '../application/sync-order';
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

/** Only what we use: which order to check. Everything else in the body is ignored, never trusted. */
const webhookSchema = v.object({
  eventType: v.pipe(v.string(), v.maxLength(64)),
  data: v.looseObject({ orderId: orderIdSchema }),
});

/** The event types that announce a payment's (or one of its cancels') status change. */
const STATUS_EVENTS: ReadonlySet<string> = new Set(['PAYMENT_STATUS_CHANGED', 'CANCEL_STATUS_CHANGED']);

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
  const parsed = v.safeParse(webhookSchema, body);
  if (!parsed.success) return badRequest('Expected { eventType, data: { orderId } }.');
  const { eventType, data } = parsed.output;
  if (!STATUS_EVENTS.has(eventType))
    return toProxyResult(jsonOutcome(200, { received: true, checked: false }));

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
  const outcome = await sync(data.orderId, deadline);
  // Webhook hints by what the look found.
  metrics.addMetric(`WebhookHint_${outcome}`, MetricUnit.Count, 1);
  if (outcome === 'mismatch') logger.warn('PSP webhook: the PSP and we disagree', { orderId: data.orderId });
  // The PSP could not be asked: a non-200 makes Toss deliver the hint again on its schedule, so a
  // change (a console cancel, say) is not left to the nightly reconciliation.
  if (outcome === 'unreachable') return retryLater();
  return received();
}

export const handler = observed(webhookHandler, observability, API_GATEWAY_REQUEST);
