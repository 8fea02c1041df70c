import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../lib/topology';

/**
 * What AWS bills for DynamoDB writes (on-demand or provisioned alike, in write capacity units),
 * from the items themselves: DynamoDB Local's ConsumedCapacity does not follow these rules.
 *
 * - Item size: the UTF-8 bytes of every attribute name plus its value; a number takes one byte per
 *   two significant digits plus one; booleans and nulls one byte; a list or map three bytes plus one
 *   per element plus its elements (a map's element names included).
 * - A write costs one unit per started KiB of the larger of the item before and after (at least 1);
 *   inside TransactWriteItems every item costs twice that.
 * - Each global secondary index the write touches costs its own units, by the size of the index
 *   entry (table keys, index keys and the projected attributes): entering or leaving the index is one
 *   write, a changed index key is a delete plus a put, a changed projected attribute one write, an
 *   unchanged entry nothing. Index writes are not doubled by transactions.
 * - A write refused by its condition still costs the units of the item as it stands (at least 1),
 *   doubled inside a transaction.
 */

export type Item = Readonly<Record<string, AttributeValue>>;

export interface BilledIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** `ALL`, `KEYS_ONLY`, or the non-key attributes an `INCLUDE` projection carries. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

export interface BilledTable {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly BilledIndex[];
}

/** A table of the topology as the biller needs it: its key names and its indexes' projections. */
export function billedTableOf(spec: TableSpec): BilledTable {
  return {
    partitionKey: spec.partitionKey.name,
    sortKey: spec.sortKey?.name,
    indexes: spec.indexes.map((index) => ({
      name: index.name,
      partitionKey: index.partitionKey.name,
      sortKey: index.sortKey?.name,
      projection: index.projection,
    })),
  };
}

const KIB = 1024;
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Bytes of a number as DynamoDB stores it: significant digits, two per byte, plus one. */
export function numberSize(value: string): number {
  const digits = value
    .replace(/^[-+]/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element),
      3,
    );
  }
  throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Write units of `bytes`: one per started KiB, at least one. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / KIB));
}

/** The item's entry in the index, or undefined when the item lacks an index key (sparse index). */
export function indexEntry(item: Item | undefined, table: BilledTable, index: BilledIndex): Item | undefined {
  if (!item || item[index.partitionKey] === undefined) return undefined;
  if (index.sortKey && item[index.sortKey] === undefined) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey];
  if (index.projection !== 'KEYS_ONLY') names.push(...index.projection.include);
  const entry: Record<string, AttributeValue> = {};
  for (const name of names) {
    const value = name === undefined ? undefined : item[name];
    if (name !== undefined && value !== undefined) entry[name] = value;
  }
  return entry;
}

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

function sameEntry(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => sameValue(a[name], b[name]));
}

/** Units one index is charged for a write that turns `before` into `after` (either may be absent). */
export function indexWriteUnits(
  before: Item | undefined,
  after: Item | undefined,
  table: BilledTable,
  index: BilledIndex,
): number {
  const old = indexEntry(before, table, index);
  const next = indexEntry(after, table, index);
  if (!old && !next) return 0;
  if (!old && next) return writeUnits(itemSize(next));
  if (old && !next) return writeUnits(itemSize(old));
  if (!old || !next) return 0;
  const keyChanged =
    !sameValue(old[index.partitionKey], next[index.partitionKey]) ||
    (index.sortKey !== undefined && !sameValue(old[index.sortKey], next[index.sortKey]));
  if (keyChanged) return writeUnits(itemSize(old)) + writeUnits(itemSize(next));
  return sameEntry(old, next) ? 0 : writeUnits(Math.max(itemSize(old), itemSize(next)));
}

export interface WriteBill {
  readonly table: number;
  readonly indexes: number;
  readonly total: number;
}

/** A write that succeeded: the item before (absent if new) and after (absent if deleted). */
export function billWrite(
  before: Item | undefined,
  after: Item | undefined,
  table: BilledTable,
  transactional: boolean,
): WriteBill {
  const size = Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0);
  const tableUnits = writeUnits(size) * (transactional ? 2 : 1);
  const indexUnits = table.indexes.reduce(
    (sum, index) => sum + indexWriteUnits(before, after, table, index),
    0,
  );
  return { table: tableUnits, indexes: indexUnits, total: tableUnits + indexUnits };
}

/** A write its condition refused: the item as it stands is charged, nothing reaches an index. */
export function billFailedWrite(existing: Item | undefined, transactional: boolean): WriteBill {
  const units = writeUnits(existing ? itemSize(existing) : 0) * (transactional ? 2 : 1);
  return { table: units, indexes: 0, total: units };
}

/** One item a write request touches, and how. */
export interface WriteTarget {
  readonly table: string;
  readonly key: Item;
  /** A ConditionCheck inside a transaction: charged like a refused write of the item. */
  readonly checkOnly: boolean;
}

const keyOf = (item: Item, table: BilledTable): Item => {
  const key: Record<string, AttributeValue> = {};
  for (const name of [table.partitionKey, table.sortKey]) {
    const value = name === undefined ? undefined : item[name];
    if (name !== undefined && value !== undefined) key[name] = value;
  }
  return key;
};

interface Put {
  readonly TableName?: string;
  readonly Item?: Item;
}
interface Keyed {
  readonly TableName?: string;
  readonly Key?: Item;
}
export interface WriteInput {
  readonly TableName?: string;
  readonly Item?: Item;
  readonly Key?: Item;
  readonly TransactItems?: readonly {
    readonly Put?: Put;
    readonly Update?: Keyed;
    readonly Delete?: Keyed;
    readonly ConditionCheck?: Keyed;
  }[];
  readonly RequestItems?: Readonly<
    Record<string, readonly { readonly PutRequest?: Put; readonly DeleteRequest?: Keyed }[]>
  >;
}

/** The items a (marshalled) write request touches, with their primary keys. */
export function writeTargets(
  input: WriteInput,
  tables: Readonly<Record<string, BilledTable>>,
): WriteTarget[] {
  const target = (
    tableName: string | undefined,
    item: Item | undefined,
    key: Item | undefined,
    checkOnly = false,
  ) => {
    const table = tableName ? tables[tableName] : undefined;
    if (!tableName || !table) throw new Error(`no billing spec for table ${tableName}`);
    const primaryKey = key ?? (item ? keyOf(item, table) : undefined);
    if (!primaryKey) throw new Error(`a write to ${tableName} without a key`);
    return { table: tableName, key: primaryKey, checkOnly };
  };
  if (input.TransactItems) {
    return input.TransactItems.map((action) => {
      if (action.Put) return target(action.Put.TableName, action.Put.Item, undefined);
      const keyed = action.Update ?? action.Delete ?? action.ConditionCheck;
      return target(keyed?.TableName, undefined, keyed?.Key, action.ConditionCheck !== undefined);
    });
  }
  if (input.RequestItems) {
    return Object.entries(input.RequestItems).flatMap(([tableName, requests]) =>
      requests.map((request) => target(tableName, request.PutRequest?.Item, request.DeleteRequest?.Key)),
    );
  }
  return [target(input.TableName, input.Item, input.Key)];
}

/** What delivering one event costs after the confirm: the publisher's mark and the completion. */
export interface DeliveryBookkeeping {
  /** The payment item (its own outbox slot) as the confirm left it, by AWS's size formula. */
  readonly paymentItemBytes: number;
  /** `markPublished`: one update of the payment item, and its `incomplete` index entry. */
  readonly publishMarkWcu: number;
  /** The completion: one conditional update taking the payment off `incomplete` (its index entry deleted). */
  readonly completionWcu: number;
}

/**
 * Bills the two writes that follow every event, on the payment item as a business transaction left
 * it (`confirmed`, marshalled): the publisher's mark, then the completion that clears the
 * `incomplete` entry.
 */
export function deliveryBookkeeping(confirmed: Item, table: BilledTable): DeliveryBookkeeping {
  const { publishedSeq: _published, ...rest } = confirmed;
  const seq = confirmed.eventSeq ?? { N: '1' };
  // Read back after the stack's own publisher and consumers may have done both writes: restored.
  const unpublished: Item = {
    ...rest,
    lastWriter: { S: 'transaction' },
    incompleteShard: confirmed.incompleteShard ?? { S: 'COMPLETION#0' },
    incompleteSince: confirmed.incompleteSince ?? confirmed.updatedAt ?? { S: new Date(0).toISOString() },
  };
  const marked: Item = { ...unpublished, publishedSeq: seq, lastWriter: { S: 'publisher' } };
  const { incompleteShard: _shard, incompleteSince: _since, ...completed } = marked;
  return {
    paymentItemBytes: itemSize(unpublished),
    publishMarkWcu: billWrite(unpublished, marked, table, false).total,
    completionWcu: billWrite(marked, { ...completed, lastWriter: { S: 'completion' } }, table, false).total,
  };
}
