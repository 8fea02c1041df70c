import type { EventPublisher, OutboxEntry, OutboxStore } from '../ports/outbox';

/**
 * Publishes what an outbox entry points at: every event after the last published one, up to the
 * slot's, read back from the immutable event items, so subscribers always receive a payment's
 * events in seq order, also when earlier ones were never published (a lost stream record, an
 * exhausted retry).
 */
export function publishOutboxUseCase(deps: { outbox: OutboxStore; publisher: EventPublisher }) {
  return async ({ orderId, seq, publishedSeq }: OutboxEntry): Promise<void> => {
    if (publishedSeq >= seq) return;
    const events = await deps.outbox.eventsBetween(orderId, publishedSeq, seq);
    if (events.length !== seq - publishedSeq) {
      throw new Error(`${orderId}: ${events.length} event items for seq ${publishedSeq + 1}..${seq}`);
    }
    await deps.publisher.publish(events);
    await deps.outbox.markPublished(orderId, seq);
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
      // One payment's failure must not stop the others; the next run retries it.
      await deps.handle(entry).catch((error: unknown) => failures.push({ orderId: entry.orderId, error }));
    }
    return { republished: entries.length - failures.length, failures };
  };
}
