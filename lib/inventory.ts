/**
 * A flat, comparable description of what a runtime actually provisions. The CDK
 * template and the local runtime each produce one; the parity test compares them.
 * Names are topology names (`payments`, `wallet`, `wallet-dlq`, `confirm`...).
 */
export interface Inventory {
  readonly tables: readonly string[];
  readonly queues: readonly string[];
  readonly buckets: readonly string[];
  readonly functions: readonly string[];
  /**
   * One line per trigger:
   * `http GET /payments/{orderId} -> getPayment`,
   * `stream payments -> publisher`, `queue wallet -> wallet`,
   * `schedule rate(1 minute) -> recovery`.
   */
  readonly triggers: readonly string[];
}

export function sortedInventory(inventory: Inventory): Inventory {
  const sort = (values: readonly string[]) => [...values].sort();
  return {
    tables: sort(inventory.tables),
    queues: sort(inventory.queues),
    buckets: sort(inventory.buckets),
    functions: sort(inventory.functions),
    triggers: sort(inventory.triggers),
  };
}
