import type { EventPublisher, OutboxStore } from '../ports/outbox';
import { staleSweep } from './publish-outbox';

export interface Republished {
  readonly orderId: string;
  /** Seqs sent, in order (every event of the payment, 1 to the latest). */
  readonly seqs: readonly number[];
}

/**
 * Sends every event of one payment again, read from its immutable event items in seq order,
 * to every subscriber queue, as a redelivery (the queues do not drop it as a duplicate). The
 * consumers skip what they applied before and report it again, so a lost message or a lost
 * completion report is made good; then the completion clock restarts, so the sweeper leaves
 * the payment alone while the consumers catch up. The completion sweeper and the operator's
 * `republish <orderId>` both go through here. Undefined for a payment without events.
 */
export function republishPaymentUseCase(deps: {
  outbox: OutboxStore;
  publisher: EventPublisher;
  clock: () => Date;
}) {
  return async (orderId: string): Promise<Republished | undefined> => {
    const slot = await deps.outbox.latest(orderId);
    if (!slot) return undefined;
    const latestSeq = slot.seq;
    const events = await deps.outbox.eventsBetween(orderId, 0, latestSeq);
    const now = deps.clock();
    await deps.publisher.publish(events, `r${now.getTime()}`);
    await deps.outbox.markPublished(orderId, latestSeq);
    await deps.outbox.deferCompletion(orderId, latestSeq, now.toISOString());
    return { orderId, seqs: events.map((e) => e.seq) };
  };
}

/**
 * The completion sweeper: republishes every payment whose latest event has been waiting longer
 * than `staleAfterMs` for some consumer to report it applied (a message lost with a local
 * queue, dead-lettered, or a completion report that never arrived).
 */
export function sweepCompletionUseCase(deps: {
  outbox: OutboxStore;
  republish: (orderId: string) => Promise<unknown>;
  clock: () => Date;
  staleAfterMs: number;
  batchLimit: number;
}) {
  return staleSweep({
    find: (before, limit) => deps.outbox.findIncomplete(before, limit),
    handle: (entry) => deps.republish(entry.orderId),
    ...deps,
  });
}
