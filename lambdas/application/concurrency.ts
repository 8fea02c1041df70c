/**
 * Runs `fn` over `items` with at most `limit` calls in flight, pulling items lazily (no array of
 * promises). The first failure rejects the whole; the other workers then take no new items.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed = false;
  // Workers share one iterator: each takes the next item when it is free.
  const worker = async () => {
    for (let next = iterator.next(); !failed && !next.done; next = iterator.next()) {
      try {
        await fn(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
