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
