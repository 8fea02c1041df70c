import type { EventPublisher, OutboxEntry, OutboxStore } from '../ports/outbox';

/**
 * Publishes an outbox entry. When earlier events were never published (a lost stream
 * record, an exhausted retry), they go first, read back from the immutable event items,
 * so subscribers always receive a payment's events in seq order.
 */
export function publishOutboxUseCase(deps: { outbox: OutboxStore; publisher: EventPublisher }) {
  return async ({ event, publishedSeq }: OutboxEntry): Promise<void> => {
    if (publishedSeq >= event.seq) return;
    const events =
      publishedSeq === event.seq - 1
        ? [event]
        : await deps.outbox.eventsBetween(event.orderId, publishedSeq, event.seq);
    await deps.publisher.publish(events);
    await deps.outbox.markPublished(event.orderId, event.seq);
  };
}

/** The scheduled sweeper: republishes what stayed unpublished longer than `staleAfterMs`. */
export function sweepOutboxUseCase(deps: {
  outbox: OutboxStore;
  publish: (entry: OutboxEntry) => Promise<void>;
  clock: () => Date;
  staleAfterMs: number;
  batchLimit: number;
}) {
  return staleSweep({
    find: (before, limit) => deps.outbox.findUnpublished(before, limit),
    handle: deps.publish,
    ...deps,
  });
}

export interface SweepResult {
  readonly republished: number;
  readonly failures: readonly { orderId: string; error: unknown }[];
}

/** Finds outbox slots stale for longer than `staleAfterMs` and handles each; one failure does not stop the rest. */
export function staleSweep(deps: {
  find: (before: string, limit: number) => Promise<OutboxEntry[]>;
  handle: (entry: OutboxEntry) => Promise<unknown>;
  clock: () => Date;
  staleAfterMs: number;
  batchLimit: number;
}) {
  return async (): Promise<SweepResult> => {
    const before = new Date(deps.clock().getTime() - deps.staleAfterMs).toISOString();
    const entries = await deps.find(before, deps.batchLimit);
    const failures: { orderId: string; error: unknown }[] = [];
    for (const entry of entries) {
      // The next run retries a payment that failed here.
      await deps
        .handle(entry)
        .catch((error: unknown) => failures.push({ orderId: entry.event.orderId, error }));
    }
    return { republished: entries.length - failures.length, failures };
  };
}
