import type { DomainEvent } from '../domain/events';

/** The latest event of one payment as its outbox slot holds it. */
export interface OutboxEntry {
  readonly event: DomainEvent;
  /** The highest seq known to be on every subscriber queue (0: none yet). */
  readonly publishedSeq: number;
}

export interface OutboxStore {
  /** The payment's events with `afterSeq < seq <= uptoSeq`, in seq order (the immutable event items). */
  eventsBetween(orderId: string, afterSeq: number, uptoSeq: number): Promise<DomainEvent[]>;
  /** Records that `seq` is published; never regresses, and clears the unpublished mark only for the latest event. */
  markPublished(orderId: string, seq: number): Promise<void>;
  /** Slots still unpublished since before `before`, oldest first, across all index shards. */
  findUnpublished(before: string, limit: number): Promise<OutboxEntry[]>;
}

/** Delivers events to every subscriber queue, in the given order. Throws when any send failed. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
