import type { DomainEvent } from '../domain/events';

/**
 * One payment's outbox slot (in DynamoDB, the payment item itself): a pointer to its latest event
 * (the event item holds the event, so the business transaction writes the payload once).
 */
export interface OutboxEntry {
  readonly orderId: string;
  /** Seq of the payment's latest event. */
  readonly seq: number;
  /** The highest seq known to be on every subscriber queue (0: none yet). */
  readonly publishedSeq: number;
}

export interface OutboxStore {
  /** The payment's events with `afterSeq < seq <= uptoSeq`, in seq order (the immutable event items). */
  eventsBetween(orderId: string, afterSeq: number, uptoSeq: number): Promise<DomainEvent[]>;
  /** Records that every event up to `seq` is on every subscriber queue; never regresses. */
  markPublished(orderId: string, seq: number): Promise<void>;
  /** Slots whose latest event is unpublished and not applied everywhere since before `before`, across all index shards. */
  findUnpublished(before: string, limit: number): Promise<OutboxEntry[]>;
  /** The payment's outbox slot, read consistently; undefined when it never had an event. */
  latest(orderId: string): Promise<OutboxEntry | undefined>;
  /**
   * Slots whose latest event has not been reported applied by every consumer since before
   * `before` (the sparse `incomplete` index), oldest first, across all index shards.
   */
  findIncomplete(before: string, limit: number): Promise<OutboxEntry[]>;
  /** Restarts the completion clock of event `seq` at `at` (after a republish), if it is still incomplete. */
  deferCompletion(orderId: string, seq: number, at: string): Promise<void>;
}

/** Delivers events to every subscriber queue, in the given order. Throws when any send failed. */
export interface EventPublisher {
  /**
   * `redelivery` names a deliberate re-send (a republish): the queues must not drop it as a
   * duplicate of the first send; the consumers' processed markers absorb the repeat instead.
   */
  publish(events: readonly DomainEvent[], redelivery?: string): Promise<void>;
}
