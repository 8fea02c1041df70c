import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderSettlementSpills } from '../../lambdas/adapters/folder/folder-settlement-spill';
import type { SettlementMovement } from '../../lambdas/domain/reconciliation';

const row = (i: number, extra: Partial<SettlementMovement> = {}): SettlementMovement => ({
  orderId: `order-${i}`,
  paymentKey: `pk-${i}`,
  amount: 1_000 * i,
  fee: 32 * i,
  payOutAmount: 968 * i,
  approvedAt: '2024-03-01T10:00:00+09:00',
  ...extra,
});

async function readAll(iterable: AsyncIterable<readonly SettlementMovement[]>) {
  const rows: SettlementMovement[] = [];
  for await (const page of iterable) rows.push(...page);
  return rows;
}

describe('folder settlement spill', () => {
  it('gives back each partition in the order appended, negative rows and absent approvedAt included', async () => {
    const spill = await new FolderSettlementSpills(tmpdir()).open();
    const many = Array.from({ length: 5_000 }, (_, i) => row(i));
    const cancel = row(7, { amount: -500, fee: -16, payOutAmount: -484, approvedAt: undefined });
    await spill.append(0, many.slice(0, 2_500));
    await spill.append(2, [cancel]);
    await spill.append(0, many.slice(2_500));
    try {
      expect(await readAll(spill.read(0))).toEqual(many);
      expect(await readAll(spill.read(1))).toEqual([]);
      const [back] = await readAll(spill.read(2));
      expect(back).toEqual(cancel);
      expect(back).not.toHaveProperty('approvedAt');
    } finally {
      await spill.dispose();
    }
  });

  it('refuses a row that would break its line format, and leaves nothing behind once disposed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'spill-test-'));
    try {
      const spill = await new FolderSettlementSpills(root).open();
      await expect(spill.append(0, [row(1, { orderId: 'a\tb' })])).rejects.toThrow(/tab or line break/);
      await spill.append(0, [row(1)]);
      expect(await readdir(root)).toHaveLength(1);
      await spill.dispose();
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('removes the spill of a run killed long ago when the next one opens, never a recent one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'spill-test-'));
    try {
      const early = new FolderSettlementSpills(root);
      const killed = await early.open();
      await killed.append(0, [row(1)]);
      const running = await early.open();
      await running.append(0, [row(2)]);
      expect(await readdir(root)).toHaveLength(2);

      const twoHoursLater = new FolderSettlementSpills(root, () => Date.now() + 2 * 3_600_000);
      await twoHoursLater.open();
      expect(await readdir(root)).toHaveLength(1);
      // A run still going (its spill minutes old) keeps its folder.
      await new FolderSettlementSpills(root).open();
      expect(await readdir(root)).toHaveLength(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
