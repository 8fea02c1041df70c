import type { FilterPattern, FilterValue } from '../../lib/topology';

/** Evaluates Lambda event filter patterns (the subset the topology uses) against a record. */
export function matchesAny(filters: readonly FilterPattern[], record: unknown): boolean {
  return filters.length === 0 || filters.some((filter) => matches(filter, record));
}

function matches(pattern: FilterPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = isRecord(value) ? value[key] : undefined;
    if (Array.isArray(expected))
      return (expected as readonly FilterValue[]).some((rule) => matchesRule(rule, actual));
    return isRecord(actual) && matches(expected as FilterPattern, actual);
  });
}

function matchesRule(rule: FilterValue, actual: unknown): boolean {
  if (typeof rule === 'string' || typeof rule === 'number') return actual === rule;
  if ('exists' in rule) return (actual !== undefined) === rule.exists;
  return typeof actual === 'string' && actual.startsWith(rule.prefix);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
