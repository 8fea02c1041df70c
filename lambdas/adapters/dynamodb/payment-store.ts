import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent, DomainEventType } from '../../domain/events';
import type { Payment } from '../../domain/payment';
import { SETTLING_CONSUMERS, type SettlementLog, type SettlementReport } from '../../ports/completion';
import type {
  BeginExecutionResult,
  CreateResult,
  HintRecorded,
  Lease,
  LookEnd,
  PaymentStore,
  PaymentView,
  RecoveryCandidate,
  SaveOptions,
  SyncClaim,
} from '../../ports/payment-store';
import {
  approvalDayShard,
  EVENT_SK_PREFIX,
  eventSk,
  INDEX_SHARDS,
  incompleteShard,
  orderIdOfPk,
  PAYMENT_SK,
  paymentPk,
  recoveryShard,
  SETTLED_SK_PREFIX,
  WRITER_COMPLETION,
  WRITER_STATE,
  WRITER_TRANSACTION,
} from './keys';
import { type Item, queryAll, queryUpTo } from './paging';

/** Attributes that only exist while the payment is in the matching state (sparse indexes). */
const RECOVERY_ATTRIBUTES = ['recoveryShard', 'recoveryDueAt'] as const;
const LEASE_ATTRIBUTES = ['leaseOwner', 'leaseUntil'] as const;
const RECOVERY_INDEX = 'recovery';
/** Tries to end a look when the payment keeps changing under it (each try is one read and one write). */
const END_LOOK_ATTEMPTS = 5;

/** Fields a transition may change; identity and checkout fields are written once. */
const MUTABLE_FIELDS = [
  'status',
  'balanceAmount',
  'items',
  'paymentKey',
  'approvedAt',
  'failure',
  'cancels',
  'pendingCancels',
  'version',
  'eventSeq',
  'updatedAt',
] as const satisfies readonly (keyof Payment)[];

function toPayment(item: Item): Payment {
  const payment = {
    orderId: item.orderId,
    owner: item.owner,
    buyerId: item.buyerId,
    orderName: item.orderName,
    currency: item.currency,
    amount: item.amount,
    balanceAmount: item.balanceAmount,
    items: item.items,
    status: item.status,
    paymentKey: item.paymentKey,
    approvedAt: item.approvedAt,
    failure: item.failure,
    cancels: item.cancels,
    pendingCancels: item.pendingCancels,
    version: item.version,
    eventSeq: item.eventSeq,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  } as Payment;
  return Object.fromEntries(Object.entries(payment).filter(([, v]) => v !== undefined)) as unknown as Payment;
}

function toCandidate(item: Item): RecoveryCandidate {
  return {
    payment: toPayment(item),
    attempts: Number(item.recoveryAttempts ?? 0),
    answered: Number(item.recoveryAnswered ?? 0),
  };
}

/**
 * Another writer got there first: its write changed the item (condition failed), or its
 * transaction held the item at the same moment (a transaction conflict). Either way the caller
 * re-reads and decides again.
 */
function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException)
    return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some(
      (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
    )
  );
}

export class DynamoDbPaymentStore implements PaymentStore, SettlementLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(payment: Payment, fingerprint: string): Promise<CreateResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: paymentPk(payment.orderId), sk: PAYMENT_SK, ...payment, fingerprint },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      const existing = unmarshall(error.Item);
      return { created: false, existing: toPayment(existing), fingerprint: String(existing.fingerprint) };
    }
  }

  async get(orderId: string): Promise<Payment | undefined> {
    return (await this.view(orderId))?.payment;
  }

  /** One strongly consistent query returns the payment, its history and its settlement markers. */
  async view(orderId: string): Promise<PaymentView | undefined> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': paymentPk(orderId) },
      ConsistentRead: true,
    });
    const paymentItem = items.find((i) => i.sk === PAYMENT_SK);
    if (!paymentItem) return undefined;
    const payment = toPayment(paymentItem);
    const skOf = (i: Item) => String(i.sk);
    return {
      payment,
      events: items
        .filter((i) => skOf(i).startsWith(EVENT_SK_PREFIX))
        .map((i) => ({ seq: Number(i.seq), type: i.type as DomainEventType, at: String(i.at) })),
      settledBy: items
        .filter((i) => skOf(i).startsWith(SETTLED_SK_PREFIX) && Number(i.seq) === payment.eventSeq)
        .map((i) => skOf(i).slice(SETTLED_SK_PREFIX.length)),
    };
  }

  async beginExecution(command: {
    orderId: string;
    owner: string;
    paymentKey: string;
    amount: number;
    at: string;
    recoveryDueAt: string;
  }): Promise<BeginExecutionResult> {
    try {
      const updated = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(command.orderId), sk: PAYMENT_SK },
          UpdateExpression:
            'SET #status = :executing, paymentKey = :paymentKey, version = version + :one, updatedAt = :at, recoveryShard = :shard, recoveryDueAt = :due, lastWriter = :writer',
          // UNKNOWN, or EXECUTING past its due time (the first request's function is dead), is taken
          // over by a confirm with the same paymentKey once no recovery lease holds it.
          ConditionExpression:
            'amount = :amount AND #owner = :owner AND (#status = :notStarted OR (paymentKey = :paymentKey AND (#status = :unknown OR (#status = :executing AND recoveryDueAt <= :at)) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :at)))',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':owner': command.owner,
            ':executing': 'EXECUTING',
            ':notStarted': 'NOT_STARTED',
            ':unknown': 'UNKNOWN',
            ':paymentKey': command.paymentKey,
            ':amount': command.amount,
            ':one': 1,
            ':at': command.at,
            ':shard': recoveryShard(command.orderId),
            ':due': command.recoveryDueAt,
            ':writer': WRITER_STATE,
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const previous = toPayment(updated.Attributes ?? {});
      const payment: Payment = {
        ...previous,
        status: 'EXECUTING',
        paymentKey: command.paymentKey,
        version: previous.version + 1,
        updatedAt: command.at,
      };
      return { ok: true, payment, previousStatus: previous.status };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { ok: false, current: error.Item ? toPayment(unmarshall(error.Item)) : undefined };
    }
  }

  async save(previous: Payment, next: Payment, options: SaveOptions = {}): Promise<boolean> {
    const update = this.paymentUpdate(previous, next, options);
    try {
      if (!options.event) {
        await this.client.send(new UpdateCommand(update));
        return true;
      }
      // The payment item is the outbox slot: two items, not three, in the transaction.
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: update }, { Put: this.eventItem(options.event) }],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Reads the sparse recovery index shard by shard: cost follows the stuck payments, not the table. */
  async findDueForRecovery(now: string, limit: number): Promise<string[]> {
    // Start at a random shard so that, when a run cannot finish, no shard always waits last.
    const first = Math.floor(Math.random() * INDEX_SHARDS);
    const shards = Array.from({ length: INDEX_SHARDS }, (_, i) => ({
      TableName: this.tableName,
      IndexName: RECOVERY_INDEX,
      KeyConditionExpression: 'recoveryShard = :shard AND recoveryDueAt <= :now',
      ExpressionAttributeValues: { ':shard': `RECOVERY#${(first + i) % INDEX_SHARDS}`, ':now': now },
    }));
    return (await queryUpTo(this.client, shards, limit)).map((entry) => orderIdOfPk(String(entry.pk)));
  }

  async claimForRecovery(orderId: string, lease: Lease): Promise<RecoveryCandidate | undefined> {
    const claimed = await this.claim(
      orderId,
      lease,
      '(#status IN (:executing, :unknown) OR size(pendingCancels) > :none OR attribute_exists(hintedAt)) AND recoveryDueAt <= :now AND ',
      { ':executing': 'EXECUTING', ':unknown': 'UNKNOWN', ':none': 0 },
    );
    return claimed.kind === 'claimed' ? claimed.candidate : undefined;
  }

  async claimForSync(orderId: string, lease: Lease & { lookedBefore: string }): Promise<SyncClaim> {
    return this.claim(
      orderId,
      lease,
      'attribute_exists(pk) AND (attribute_not_exists(lookedAt) OR lookedAt < :lookedBefore) AND ',
      { ':lookedBefore': lease.lookedBefore },
    );
  }

  /**
   * A lease on the payment when `condition` holds and no other lease is running; `lookedAt` marks the
   * start of the look, which coalesces webhook looks.
   */
  private async claim(
    orderId: string,
    lease: Lease,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<SyncClaim> {
    try {
      const claimed = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
          UpdateExpression:
            'SET leaseOwner = :owner, leaseUntil = :until, lookedAt = :now, lastWriter = :writer',
          ConditionExpression: `${condition}(attribute_not_exists(leaseUntil) OR leaseUntil < :now)`,
          ...(condition.includes('#status') ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: {
            ':owner': lease.owner,
            ':until': lease.until,
            ':now': lease.now,
            ':writer': WRITER_STATE,
            ...values,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', candidate: toCandidate(claimed.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) return { kind: 'missing' };
      const { lookedAt } = unmarshall(error.Item);
      return { kind: 'busy', ...(typeof lookedAt === 'string' ? { lookedAt } : {}) };
    }
  }

  async recordHint(orderId: string, hint: { at: string; dueAt: string }): Promise<HintRecorded> {
    const write = (condition: string) =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
          UpdateExpression:
            'SET hintedAt = :at, recoveryShard = :shard, recoveryDueAt = if_not_exists(recoveryDueAt, :due), lastWriter = :writer',
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeValues: {
            ':at': hint.at,
            ':due': hint.dueAt,
            ':shard': recoveryShard(orderId),
            ':writer': WRITER_STATE,
          },
        }),
      );
    try {
      // No hint waiting since the last look began: this is the first.
      await write('(attribute_not_exists(hintedAt) OR hintedAt <= lookedAt)');
      return 'first';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      // A newer hint already there covers this one.
      await write('hintedAt < :at');
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return 'joined';
  }

  /**
   * Read, decide, write on exactly what was read (version, hint, lease): a hint or a transition that
   * lands in between makes the write fail and the decision is taken again.
   */
  async endLook(
    orderId: string,
    look: { owner: string; startedAt: string; now: string; readPsp: boolean },
  ): Promise<LookEnd> {
    for (let attempt = 0; attempt < END_LOOK_ATTEMPTS; attempt++) {
      const { Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
          ConsistentRead: true,
        }),
      );
      if (!item) return 'done';
      const ours = item.leaseOwner === look.owner;
      // Another look holds it now: it started after our writes, so it covers every hint so far.
      if (!ours && item.leaseUntil !== undefined && item.leaseUntil >= look.now) return 'done';
      const hinted = item.hintedAt !== undefined && (!look.readPsp || item.hintedAt > look.startedAt);
      const settled =
        item.status !== 'EXECUTING' && item.status !== 'UNKNOWN' && (item.pendingCancels?.length ?? 0) === 0;
      const sets: string[] = [];
      const removes: string[] = [];
      if (item.leaseOwner !== undefined) removes.push(...LEASE_ATTRIBUTES);
      if (hinted) {
        // Our own writes may have taken it off the recovery index: due now, for the next run.
        sets.push('recoveryShard = :shard', 'recoveryDueAt = if_not_exists(recoveryDueAt, :now)');
      } else {
        if (item.hintedAt !== undefined) removes.push('hintedAt');
        if (settled && item.recoveryDueAt !== undefined) removes.push(...RECOVERY_ATTRIBUTES);
      }
      if (sets.length === 0 && removes.length === 0) return 'done';
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: paymentPk(orderId), sk: PAYMENT_SK },
            UpdateExpression: `SET ${[...sets, 'lastWriter = :writer'].join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: `version = :version AND ${
              item.hintedAt === undefined ? 'attribute_not_exists(hintedAt)' : 'hintedAt = :hintedAt'
            } AND ${item.leaseOwner === undefined ? 'attribute_not_exists(leaseOwner)' : 'leaseOwner = :leaseOwner'}`,
            ExpressionAttributeValues: {
              ':version': item.version,
              ':writer': WRITER_STATE,
              ...(item.hintedAt === undefined ? {} : { ':hintedAt': item.hintedAt }),
              ...(item.leaseOwner === undefined ? {} : { ':leaseOwner': item.leaseOwner }),
              ...(hinted ? { ':shard': recoveryShard(orderId), ':now': look.now } : {}),
            },
          }),
        );
        return hinted ? 'hinted' : 'done';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    // Changed under us every time: others are writing it now, and the lease ends by itself.
    return 'hinted';
  }

  async reschedule(payment: Payment, attempts: number, dueAt: string, answered = 0): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentPk(payment.orderId), sk: PAYMENT_SK },
          UpdateExpression: `SET recoveryAttempts = :attempts, recoveryAnswered = :answered, recoveryDueAt = :due, lastWriter = :writer REMOVE ${LEASE_ATTRIBUTES.join(', ')}`,
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: {
            ':writer': WRITER_STATE,
            ':attempts': attempts,
            ':answered': answered,
            ':due': dueAt,
            ':version': payment.version,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** `#SETTLED#<consumer>` beside the payment: read by `view`, never regressing, off the stream filter. */
  async recordSettled(report: SettlementReport, at: string): Promise<boolean> {
    const pk = paymentPk(report.orderId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: `${SETTLED_SK_PREFIX}${report.consumer}`, seq: report.seq, at },
          ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': report.seq },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Always tried, also after a repeated report: a crash may have come between the two writes.
    // Each consumer's marker is written before its check, so when two reports race, the later
    // check sees both markers: one of them takes the payment off the `incomplete` index.
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...SETTLING_CONSUMERS.map((consumer) => ({
              ConditionCheck: {
                TableName: this.tableName,
                Key: { pk, sk: `${SETTLED_SK_PREFIX}${consumer}` },
                ConditionExpression: 'seq >= :seq',
                ExpressionAttributeValues: { ':seq': report.seq },
              },
            })),
            {
              Update: {
                TableName: this.tableName,
                Key: { pk, sk: PAYMENT_SK },
                UpdateExpression: 'SET lastWriter = :writer REMOVE incompleteShard, incompleteSince',
                ConditionExpression: 'eventSeq = :seq AND attribute_exists(incompleteShard)',
                ExpressionAttributeValues: { ':seq': report.seq, ':writer': WRITER_COMPLETION },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private paymentUpdate(previous: Payment, next: Payment, options: SaveOptions) {
    const values: Record<string, unknown> = { ':expectedVersion': previous.version };
    const names: Record<string, string> = { '#version': 'version' };
    const sets: string[] = [];
    const removes: string[] = [];
    const set = (name: string, value: unknown) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    };
    for (const field of MUTABLE_FIELDS) {
      if (next[field] !== undefined) set(field, next[field]);
      // A field the transition cleared (paymentKey on reopen, failure on a PSP-approved correction).
      else if (previous[field] !== undefined) {
        names[`#${field}`] = field;
        removes.push(`#${field}`);
      }
    }
    const executing = next.status === 'EXECUTING' || next.status === 'UNKNOWN';
    if (executing || (next.pendingCancels?.length ?? 0) > 0) {
      set('recoveryShard', recoveryShard(next.orderId));
      if (options.recoveryDueAt) set('recoveryDueAt', options.recoveryDueAt);
      else if (executing) throw new Error(`recoveryDueAt is required for ${next.status}`);
      else {
        // Pending cancels keep the due time their intent set.
        values[':dueIfAbsent'] = next.updatedAt;
        sets.push('recoveryDueAt = if_not_exists(recoveryDueAt, :dueIfAbsent)');
      }
      if (options.recoveryAttempts !== undefined) set('recoveryAttempts', options.recoveryAttempts);
      if (options.recoveryAnswered !== undefined) set('recoveryAnswered', options.recoveryAnswered);
    } else {
      removes.push(...RECOVERY_ATTRIBUTES);
    }
    // Whatever transition this is, it ends any recovery lease on the payment.
    removes.push(...LEASE_ATTRIBUTES);
    if (next.approvedAt && previous.status !== next.status && next.status === 'SUCCESS') {
      set('approvalDayShard', approvalDayShard(next.orderId, next.approvedAt));
    }
    if (options.event) {
      // Incomplete until every consumer reports this event applied; the clock keeps running from the
      // oldest event not yet applied everywhere, so a new event cannot hide a lost one.
      set('incompleteShard', incompleteShard(next.orderId));
      values[':incompleteSince'] = options.event.occurredAt;
      sets.push('incompleteSince = if_not_exists(incompleteSince, :incompleteSince)');
    }
    // The publisher's stream filter admits only writes that carry a new event.
    set('lastWriter', options.event ? WRITER_TRANSACTION : WRITER_STATE);
    return {
      TableName: this.tableName,
      Key: { pk: paymentPk(next.orderId), sk: PAYMENT_SK },
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  private eventItem(event: DomainEvent) {
    return {
      TableName: this.tableName,
      Item: {
        pk: paymentPk(event.orderId),
        sk: eventSk(event.seq),
        eventId: event.eventId,
        type: event.type,
        seq: event.seq,
        at: event.occurredAt,
        payload: event,
      },
      // Events are immutable: a second write of one seq is a bug, never an overwrite.
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}
