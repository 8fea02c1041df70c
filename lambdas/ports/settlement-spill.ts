import type { SettlementMovement } from '../domain/reconciliation';

/**
 * Where a run parks the day's settlement rows between reading them from the PSP once and merging
 * them partition by partition: memory then holds one partition, and the PSP is asked once.
 */
export interface SettlementSpill {
  /** Appends rows to a partition, in order. */
  append(partition: number, rows: readonly SettlementMovement[]): Promise<void>;
  /** The partition's rows in the order appended, a page at a time. */
  read(partition: number): AsyncIterable<readonly SettlementMovement[]>;
  /** Removes every partition. */
  dispose(): Promise<void>;
}

export interface SettlementSpills {
  /** A new, empty spill for one run: partitions are numbered from 0. */
  open(): Promise<SettlementSpill>;
}
