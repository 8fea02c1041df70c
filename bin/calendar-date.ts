import { seoulDay } from '../lambdas/domain/business-day';

/**
 * A `--date` for a Seoul business day: YYYY-MM-DD that names a real calendar day (not 2026-02-30)
 * and is not after today in Seoul. Returns why not, or undefined when it is fine.
 */
export function calendarDateProblem(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return 'needs --date YYYY-MM-DD';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return `--date must be YYYY-MM-DD, got ${value}`;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return `--date ${value} is not a calendar day`;
  const today = seoulDay(now);
  if (value > today) return `--date ${value} is in the future (today in Seoul is ${today})`;
  return undefined;
}
