/**
 * The PSP's business day is a calendar day in Asia/Seoul (UTC+9, no daylight saving time):
 * settlement rows and the approval-day index are both keyed by it.
 */
const SEOUL_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 24 * 3_600_000;

/** YYYY-MM-DD of `instant` in Seoul. */
export function seoulDay(instant: Date): string {
  return new Date(instant.getTime() + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Seoul day before the one `now` falls in: what a run shortly after midnight reconciles. */
export function previousSeoulDay(now: Date): string {
  return seoulDay(new Date(now.getTime() - DAY_MS));
}

/** The `count` Seoul days ending with `last` (YYYY-MM-DD), oldest first. */
export function seoulDaysEndingAt(last: string, count: number): string[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(end - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * The days a scheduled run reconciles: every day after the last one completed, up to the newest of
 * `days` (oldest first). With none completed in the window, only the newest: there is no known start.
 */
export function daysSinceLastCompleted(days: readonly string[], completed: ReadonlySet<string>): string[] {
  const last = days.findLastIndex((day) => completed.has(day));
  return last === -1 ? days.slice(-1) : days.slice(last + 1);
}
