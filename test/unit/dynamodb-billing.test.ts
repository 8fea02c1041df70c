import { marshall } from '@aws-sdk/util-dynamodb';
import {
  type BilledTable,
  billFailedWrite,
  billWrite,
  deliveryBookkeeping,
  indexWriteUnits,
  itemSize,
  numberSize,
  valueSize,
  writeTargets,
  writeUnits,
} from '../../bench/dynamodb-billing';

const item = (value: Record<string, unknown>) => marshall(value, { removeUndefinedValues: true });

const table: BilledTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'due', partitionKey: 'shard', sortKey: 'dueAt', projection: 'KEYS_ONLY' },
    { name: 'day', partitionKey: 'day', sortKey: 'orderId', projection: { include: ['status'] } },
    { name: 'all', partitionKey: 'everything', projection: 'ALL' },
  ],
};
const [due, day, all] = table.indexes as [
  BilledTable['indexes'][number],
  BilledTable['indexes'][number],
  BilledTable['indexes'][number],
];

describe("AWS's item size formula", () => {
  it('counts names and values: UTF-8 strings, numbers by significant digits, one byte for booleans and nulls', () => {
    expect(itemSize(item({ pk: 'abc' }))).toBe(2 + 3);
    expect(itemSize(item({ name: '가나' }))).toBe(4 + 6);
    expect(numberSize('7000')).toBe(2);
    expect(numberSize('-0.0012300')).toBe(3);
    expect(numberSize('123456789')).toBe(6);
    expect(itemSize(item({ ok: true, gone: null }))).toBe(2 + 1 + 4 + 1);
  });

  it('adds 3 bytes per list or map and 1 per element, map element names included', () => {
    expect(valueSize({ L: [] })).toBe(3);
    expect(valueSize({ L: [{ S: 'ab' }, { N: '1' }] })).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueSize({ M: { a: { S: 'xy' } } })).toBe(3 + 1 + 1 + 2);
    const line = { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 };
    expect(itemSize(item({ items: [line] }))).toBe(5 + 3 + 1 + (3 + (1 + 8 + 8) + (1 + 9 + 6) + (1 + 6 + 2)));
  });

  it('bills one unit per started KiB, at least one', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(3 * 1024 + 1)).toBe(4);
  });
});

describe('index writes', () => {
  const base = { pk: 'P#1', sk: '#P', orderId: '1', status: 'EXECUTING', big: 'x'.repeat(2_000) };

  it('charges entering and leaving a sparse index once each, by the entry, not the item', () => {
    const inIndex = item({ ...base, shard: 'R#1', dueAt: 't1' });
    expect(indexWriteUnits(item(base), inIndex, table, due)).toBe(1);
    expect(indexWriteUnits(inIndex, item(base), table, due)).toBe(1);
    expect(indexWriteUnits(item(base), item({ ...base, status: 'SUCCESS' }), table, due)).toBe(0);
  });

  it('charges a moved key as delete plus put, a changed projected attribute once, anything else nothing', () => {
    const at = (dueAt: string, status = 'UNKNOWN') =>
      item({ ...base, status, shard: 'R#1', dueAt, day: 'D' });
    expect(indexWriteUnits(at('t1'), at('t2'), table, due)).toBe(2);
    expect(indexWriteUnits(at('t1'), at('t1', 'SUCCESS'), table, due)).toBe(0);
    expect(indexWriteUnits(at('t1'), at('t1', 'SUCCESS'), table, day)).toBe(1);
    expect(indexWriteUnits(at('t1'), at('t1'), table, day)).toBe(0);
  });

  it('copies the whole item into an ALL index: a 2 KB item costs 2 units there', () => {
    expect(indexWriteUnits(undefined, item({ ...base, everything: 'e' }), table, all)).toBe(2);
  });
});

describe('write bills', () => {
  const small = item({ pk: 'P#1', sk: '#P', status: 'NOT_STARTED' });
  const grown = item({
    pk: 'P#1',
    sk: '#P',
    status: 'EXECUTING',
    shard: 'R#1',
    dueAt: 't',
    pad: 'x'.repeat(1_100),
  });

  it('bills the larger image, doubled in a transaction, plus every index touched (not doubled)', () => {
    expect(billWrite(small, grown, table, false)).toEqual({ table: 2, indexes: 1, total: 3 });
    expect(billWrite(small, grown, table, true)).toEqual({ table: 4, indexes: 1, total: 5 });
    expect(billWrite(grown, undefined, table, false)).toEqual({ table: 2, indexes: 1, total: 3 });
  });

  it('bills a refused write by the item as it stands, at least one unit, doubled in a transaction', () => {
    expect(billFailedWrite(undefined, false).total).toBe(1);
    expect(billFailedWrite(grown, false).total).toBe(2);
    expect(billFailedWrite(grown, true).total).toBe(4);
  });
});

describe('write targets', () => {
  const tables = { payments: table };
  const key = item({ pk: 'P#1', sk: '#P' });

  it('finds the key of a put in its item, and every action of a transaction', () => {
    expect(
      writeTargets({ TableName: 'payments', Item: item({ pk: 'P#1', sk: '#P', x: 1 }) }, tables),
    ).toEqual([{ table: 'payments', key, checkOnly: false }]);
    const targets = writeTargets(
      {
        TransactItems: [
          { Update: { TableName: 'payments', Key: key } },
          { Put: { TableName: 'payments', Item: item({ pk: 'P#1', sk: 'E#1', x: 1 }) } },
          { ConditionCheck: { TableName: 'payments', Key: key } },
        ],
      },
      tables,
    );
    expect(targets.map((t) => [t.key.sk, t.checkOnly])).toEqual([
      [{ S: '#P' }, false],
      [{ S: 'E#1' }, false],
      [{ S: '#P' }, true],
    ]);
  });

  it('refuses a table it has no spec for, rather than bill it as nothing', () => {
    expect(() => writeTargets({ TableName: 'other', Key: key }, tables)).toThrow(/no billing spec/);
  });
});

describe('the bookkeeping after an event, on the payment item that is its own outbox slot', () => {
  const payments: BilledTable = {
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      {
        name: 'incomplete',
        partitionKey: 'incompleteShard',
        sortKey: 'incompleteSince',
        projection: { include: ['eventSeq'] },
      },
    ],
  };
  const confirmed = (filler: number) =>
    item({
      pk: 'PAYMENT#o-1',
      sk: '#PAYMENT',
      eventSeq: 1,
      lastWriter: 'transaction',
      incompleteShard: 'COMPLETION#3',
      incompleteSince: '2026-12-01T00:00:00.000Z',
      items: 'x'.repeat(filler),
    });

  it('costs a small payment 1 for the mark (publishedSeq is not projected) and 1 + index 1 for the completion', () => {
    expect(deliveryBookkeeping(confirmed(100), payments)).toMatchObject({
      publishMarkWcu: 1,
      completionWcu: 2,
    });
  });

  it('grows with the payment item: at 3 KiB the mark is 3 and the completion 3 + 1', () => {
    const bill = deliveryBookkeeping(confirmed(2_900), payments);
    expect(bill.paymentItemBytes).toBeGreaterThan(2_048);
    expect(bill).toMatchObject({ publishMarkWcu: 3, completionWcu: 4 });
  });

  it('bills the same item read back after the stack already marked and completed it', () => {
    const { incompleteShard, incompleteSince, ...done } = { ...confirmed(100) };
    expect(incompleteShard && incompleteSince).toBeTruthy();
    const readBack = { ...done, publishedSeq: { N: '1' }, lastWriter: { S: 'completion' } };
    expect(deliveryBookkeeping(readBack, payments)).toMatchObject({ publishMarkWcu: 1, completionWcu: 2 });
  });
});
