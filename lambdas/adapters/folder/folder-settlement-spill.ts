import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SettlementMovement } from '../../domain/reconciliation';
import type { SettlementSpill, SettlementSpills } from '../../ports/settlement-spill';

/** Fields are tab-separated, one row a line: no field may hold either (Toss's ids never do). */
const SEPARATORS = /[\t\r\n]/;

function line(row: SettlementMovement): string {
  const { orderId, paymentKey, approvedAt = '' } = row;
  if (SEPARATORS.test(orderId) || SEPARATORS.test(paymentKey) || SEPARATORS.test(approvedAt)) {
    throw new Error(`settlement row of ${JSON.stringify(orderId)} holds a tab or line break`);
  }
  return `${orderId}\t${paymentKey}\t${row.amount}\t${row.fee}\t${row.payOutAmount}\t${approvedAt}\n`;
}

function parse(text: string): SettlementMovement {
  const [orderId = '', paymentKey = '', amount, fee, payOutAmount, approvedAt] = text.split('\t');
  return {
    orderId,
    paymentKey,
    amount: Number(amount),
    fee: Number(fee),
    payOutAmount: Number(payOutAmount),
    ...(approvedAt ? { approvedAt } : {}),
  };
}

/** One file per partition in a fresh folder under `root` (the OS temp folder; /tmp in Lambda). */
class FolderSettlementSpill implements SettlementSpill {
  constructor(private readonly folder: string) {}

  private file(partition: number): string {
    return join(this.folder, `partition-${partition}.tsv`);
  }

  async append(partition: number, rows: readonly SettlementMovement[]): Promise<void> {
    await appendFile(this.file(partition), rows.map(line).join(''));
  }

  async *read(partition: number): AsyncGenerator<SettlementMovement[]> {
    // Small chunks keep what one read allocates at a time small (measured: 1 MiB chunks doubled the peak heap).
    const stream = createReadStream(this.file(partition), { encoding: 'utf8', highWaterMark: 1 << 16 });
    let tail = '';
    try {
      for await (const chunk of stream) {
        const lines = (tail + chunk).split('\n');
        tail = lines.pop() ?? '';
        yield lines.map(parse);
      }
    } catch (error) {
      // A partition no row fell into has no file.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (tail) yield [parse(tail)];
  }

  dispose(): Promise<void> {
    return rm(this.folder, { recursive: true, force: true });
  }
}

const PREFIX = 'settlement-rows-';
/** Longer than any run (Lambda stops at 15 min): a spill this old outlived a run killed mid-way. */
const STALE_AFTER_MS = 3_600_000;

export class FolderSettlementSpills implements SettlementSpills {
  constructor(
    private readonly root: string,
    private readonly now: () => number = Date.now,
  ) {}

  async open(): Promise<SettlementSpill> {
    await this.removeStale();
    return new FolderSettlementSpill(await mkdtemp(join(this.root, PREFIX)));
  }

  /** A warm Lambda keeps /tmp: a run killed at its timeout must not leave its day there for good. */
  private async removeStale(): Promise<void> {
    for (const name of await readdir(this.root)) {
      if (!name.startsWith(PREFIX)) continue;
      const folder = join(this.root, name);
      const modified = await stat(folder).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (modified !== undefined && this.now() - modified > STALE_AFTER_MS) {
        await rm(folder, { recursive: true, force: true });
      }
    }
  }
}
