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

/**
 * The URLs registered with `POST /__sim/webhooks`, and delivery of `PAYMENT_STATUS_CHANGED` after
 * each status change the simulator makes (approvals, declines, cancels), retried on Toss's schedule.
 */
export class Webhooks {
  private readonly urls = new Set<string>();
  private closed = false;

  constructor(private readonly options: WebhookOptions) {}

  /** POST /__sim/webhooks `{ url }`. */
  register = (req: SimRequest): Reply => {
    const url = requireString(requireObject(req.body), 'url');
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new TossError('INVALID_REQUEST', 'url must be an http(s) URL.');
    this.urls.add(url);
    return json(200, { urls: [...this.urls] });
  };

  /** DELETE /__sim/webhooks: no more deliveries (a test of what heals without webhooks). */
  clear = (): Reply => {
    this.urls.clear();
    return json(200, { urls: [] });
  };

  /** Called after the order's status changed; delivers in the background. */
  statusChanged(order: Order): void {
    const body = JSON.stringify({
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: toKstLocalMicros(this.options.clock()),
      data: toTossPayment(order),
    });
    for (const url of this.urls) void this.deliver(url, body);
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
