import type { DomainEvent, DomainEventType } from '../domain/events';
import type { Payment } from '../domain/payment';

/** One line of a payment's immutable history. */
export interface PaymentHistoryEntry {
  readonly seq: number;
  readonly type: DomainEventType;
  readonly at: string;
}

export interface PaymentView {
  readonly payment: Payment;
  readonly events: readonly PaymentHistoryEntry[];
  /**
   * Every consumer (`wallet`, `ledger`) once the payment's latest event is applied everywhere, else
   * none: while it is not, the consumers' own cursors tell which has applied it.
   */
  readonly settledBy: readonly string[];
}

export type CreateResult =
  | { readonly created: true }
  | { readonly created: false; readonly existing: Payment; readonly fingerprint: string };

export type BeginExecutionResult =
  /** `previousStatus`: NOT_STARTED, or UNKNOWN / EXECUTING when an earlier attempt may have reached the PSP. */
  | { readonly ok: true; readonly payment: Payment; readonly previousStatus: Payment['status'] }
  /** The condition failed: `current` is the stored payment, absent when the order does not exist. */
  | { readonly ok: false; readonly current?: Payment };

/** A payment in the recovery index and how often recovery has looked at it. */
export interface RecoveryCandidate {
  readonly payment: Payment;
  readonly attempts: number;
  /** Of those looks, how many the PSP answered (only these count towards RECOVERY_EXHAUSTED). */
  readonly answered?: number;
}

export interface SaveOptions {
  readonly event?: DomainEvent;
  /** When recovery should look at the payment next; required while EXECUTING or UNKNOWN (pending cancels keep theirs). */
  readonly recoveryDueAt?: string;
  /** Recovery's count of looks at the payment, kept while it stays in the index. */
  readonly recoveryAttempts?: number;
  /** Of those, the looks the PSP answered. */
  readonly recoveryAnswered?: number;
}

export interface PaymentStore {
  /** Stores a new payment with the fingerprint of the checkout that created it. */
  create(payment: Payment, fingerprint: string): Promise<CreateResult>;
  get(orderId: string): Promise<Payment | undefined>;
  view(orderId: string): Promise<PaymentView | undefined>;
  /**
   * NOT_STARTED → EXECUTING, or UNKNOWN (or EXECUTING past its due time: a takeover) → EXECUTING
   * with the same paymentKey, for the checkout's exact amount: one conditional write, no read.
   */
  beginExecution(command: {
    readonly orderId: string;
    readonly paymentKey: string;
    readonly amount: number;
    readonly at: string;
    readonly recoveryDueAt: string;
  }): Promise<BeginExecutionResult>;
  /**
   * Writes `next` over `previous` (optimistic on version) together with its event, in one
   * transaction; with an event, the payment item becomes its outbox slot's newest entry. False when another writer got there first.
   */
  save(previous: Payment, next: Payment, options?: SaveOptions): Promise<boolean>;
  /**
   * The orderIds of EXECUTING or UNKNOWN payments due for recovery by `now`, from the sparse
   * recovery index (keys only: the claim returns the payment).
   */
  findDueForRecovery(now: string, limit: number): Promise<string[]>;
  /**
   * Takes a lease on a due payment so overlapping recovery runs never work on it twice;
   * undefined when it is no longer due, already resolved, or leased by another run.
   */
  claimForRecovery(
    orderId: string,
    lease: { readonly now: string; readonly until: string; readonly owner: string },
  ): Promise<RecoveryCandidate | undefined>;
  /**
   * Takes a lease on any existing payment, due or not (a PSP webhook asks for a look now);
   * undefined when the order does not exist or another lease is running.
   */
  claimForSync(
    orderId: string,
    lease: { readonly now: string; readonly until: string; readonly owner: string },
  ): Promise<RecoveryCandidate | undefined>;
  /** Keeps the status, records the attempt and the next due time, and releases the lease. */
  reschedule(payment: Payment, attempts: number, dueAt: string, answered?: number): Promise<boolean>;
  /** Ends this owner's lease without changing the payment. */
  releaseLease(orderId: string, owner: string): Promise<void>;
}
