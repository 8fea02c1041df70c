/** How far a batch got: the leading records that succeeded, per Lambda's partial batch response rules. */
export interface BatchOutcome {
  readonly succeeded: number;
  readonly functionError: boolean;
  readonly error?: string;
}

/**
 * With ReportBatchItemFailures, a stream resumes from the lowest failed record; an
 * identifier that is empty or not in the batch fails the whole batch, as in Lambda.
 */
export function outcomeOf(response: unknown, identifiers: readonly string[]): BatchOutcome {
  const failures = (response as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined)
    ?.batchItemFailures;
  if (!failures?.length) return { succeeded: identifiers.length, functionError: false };
  const positions = failures.map((f) => (f.itemIdentifier ? identifiers.indexOf(f.itemIdentifier) : -1));
  if (positions.some((p) => p < 0))
    return { succeeded: 0, functionError: false, error: 'invalid batchItemFailures' };
  return { succeeded: Math.min(...positions), functionError: false, error: 'partial batch failure' };
}

/** For queues: which messages failed (everything when the response is malformed). */
export function failedIdentifiers(response: unknown, identifiers: readonly string[]): Set<string> {
  const failures = (response as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined)
    ?.batchItemFailures;
  if (!failures?.length) return new Set();
  const ids = failures.map((f) => f.itemIdentifier ?? '');
  return ids.every((id) => identifiers.includes(id)) ? new Set(ids) : new Set(identifiers);
}
