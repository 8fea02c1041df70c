import { TossError } from './errors';
import { json, type Reply, type SimRequest } from './http';
import { toTossPayment } from './payment-object';
import type { Order } from './state';
import { toKstLocalMicros } from './time';
import { requireObject, requireString } from './validate';

/** Toss's retry schedule for a webhook not answered 200, in minutes after the previous try. */
const TOSS_RETRY_MINUTES = [1, 4, 16, 64, 256, 1024, 4096] as const;
const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookOptions {
  /** What one of Toss's retry "minutes" lasts here; locally a second, so the schedule plays out in seconds. */
  readonly minuteMs: number;
  /**
   * How long after a status change the first delivery goes out. Toss sends webhooks asynchronously,
   * after the API call that changed the status has answered; without a delay the simulator's webhook
   * would routinely beat the confirm's own write, which Toss's does not.
   */
  readonly firstDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly clock: () => Date;
}

const EVENT_TYPES = ['PAYMENT_STATUS_CHANGED', 'DEPOSIT_CALLBACK'] as const;
type EventType = (typeof EVENT_TYPES)[number];

/**
 * The URLs registered with `POST /__sim/webhooks`, each for some event types (as in Toss's developer
 * console), and delivery after each status change the simulator makes, retried on Toss's schedule:
 * `PAYMENT_STATUS_CHANGED` (approvals, declines, cancels, virtual-account changes too) and, for a
 * virtual account, `DEPOSIT_CALLBACK` in Toss's flat shape with the payment's secret. A URL
 * registered for both hears of a virtual account's change twice, as Toss documents.
 */
export class Webhooks {
  private readonly urls = new Map<string, ReadonlySet<EventType>>();
  private closed = false;

  constructor(private readonly options: WebhookOptions) {}

  /** POST /__sim/webhooks `{ url, eventTypes? }` (default: every event type). */
  register = (req: SimRequest): Reply => {
    const fields = requireObject(req.body);
    const url = requireString(fields, 'url');
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new TossError('INVALID_REQUEST', 'url must be an http(s) URL.');
    const eventTypes = fields.eventTypes ?? EVENT_TYPES;
    if (
      !Array.isArray(eventTypes) ||
      eventTypes.length === 0 ||
      !eventTypes.every((type) => EVENT_TYPES.includes(type))
    ) {
      throw new TossError('INVALID_REQUEST', `eventTypes must list some of ${EVENT_TYPES.join(', ')}.`);
    }
    this.urls.set(url, new Set(eventTypes));
    return json(200, { urls: [...this.urls.keys()] });
  };

  /** DELETE /__sim/webhooks: no more deliveries (a test of what heals without webhooks). */
  clear = (): Reply => {
    this.urls.clear();
    return json(200, { urls: [] });
  };

  /** Called after the order's status changed; delivers in the background. */
  statusChanged(order: Order): void {
    // Toss writes both events' createdAt in Seoul time with microseconds and no offset.
    const createdAt = toKstLocalMicros(this.options.clock());
    const bodies: Partial<Record<EventType, string>> = {
      PAYMENT_STATUS_CHANGED: JSON.stringify({
        eventType: 'PAYMENT_STATUS_CHANGED',
        createdAt,
        data: toTossPayment(order),
      }),
    };
    if (order.virtualAccount && order.secret) {
      bodies.DEPOSIT_CALLBACK = JSON.stringify({
        createdAt,
        secret: order.secret,
        status: order.status,
        transactionKey: order.virtualAccount.transactionKey,
        orderId: order.orderId,
      });
    }
    for (const [url, types] of this.urls) {
      for (const type of types) {
        const body = bodies[type];
        if (body !== undefined) void this.deliver(url, body);
      }
    }
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(url: string, body: string): Promise<void> {
    await this.options.sleep(this.options.firstDelayMs);
    for (let attempt = 0; !this.closed; attempt++) {
      if (await this.post(url, body)) return;
      const minutes = TOSS_RETRY_MINUTES[attempt];
      if (minutes === undefined) return;
      await this.options.sleep(minutes * this.options.minuteMs);
    }
  }

  private async post(url: string, body: string): Promise<boolean> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }
}
