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
  /** Consumers that have applied the payment's latest event (`wallet`, `ledger`). */
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

/** A lease on a payment for one look at the PSP (recovery, a webhook). */
export interface Lease {
  readonly now: string;
  readonly until: string;
  readonly owner: string;
}

export type SyncClaim =
  | { readonly kind: 'claimed'; readonly candidate: RecoveryCandidate }
  /** Another look holds the payment, or one started after `lookedBefore` (at `lookedAt`). */
  | { readonly kind: 'busy'; readonly lookedAt?: string }
  | { readonly kind: 'missing' };

/** A recorded hint: the first since the last look began, or one joining a hint already waiting. */
export type HintRecorded = 'first' | 'joined';

/** How a look ended: `hinted` when a webhook came after it started, so the payment is due for another. */
export type LookEnd = 'done' | 'hinted';

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
   * with the same paymentKey, for the checkout's exact amount and its owner: one conditional write, no read.
   */
  beginExecution(command: {
    readonly orderId: string;
    readonly owner: string;
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
   * undefined when it is no longer due, already resolved (and not hinted), or leased by another run.
   */
  claimForRecovery(orderId: string, lease: Lease): Promise<RecoveryCandidate | undefined>;
  /**
   * Takes a lease on any existing payment, due or not (a PSP webhook asks for a look now), unless
   * another lease is running or a look started after `lookedBefore` (looks are coalesced per order).
   */
  claimForSync(orderId: string, lease: Lease & { readonly lookedBefore: string }): Promise<SyncClaim>;
  /**
   * A webhook that could not look now: `hintedAt` on the payment, and the payment due in the recovery
   * index by `dueAt` (an earlier due time is kept), so a later look sees the PSP after the hint's event.
   * `first` when no hint was waiting since the last look began (that webhook looks itself, later).
   */
  recordHint(orderId: string, hint: { readonly at: string; readonly dueAt: string }): Promise<HintRecorded>;
  /**
   * Ends a look that started at `startedAt`: releases this owner's lease and clears the hint and, for a
   * settled payment with nothing pending, its recovery keys. `hinted` when a hint came after the start
   * (or any hint, when the look could not read the PSP): the payment is then left due, hint kept, so the
   * next recovery run looks again.
   */
  endLook(
    orderId: string,
    look: {
      readonly owner: string;
      readonly startedAt: string;
      readonly now: string;
      readonly readPsp: boolean;
    },
  ): Promise<LookEnd>;
  /** Keeps the status, records the attempt and the next due time, and releases the lease. */
  reschedule(payment: Payment, attempts: number, dueAt: string, answered?: number): Promise<boolean>;
}
