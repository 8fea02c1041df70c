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

/** A real YYYY-MM-DD calendar date: 2026-02-30 is not one (Date would roll it over to March). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

/** The day `days` after `day` (before, when negative). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The `count` Seoul days ending with `last` (YYYY-MM-DD), oldest first. */
export function seoulDaysEndingAt(last: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(last, i - (count - 1)));
}

/**
 * The merchant's settlement cycle with the PSP: a row's soldDate is the day of the sale (DAILY),
 * the Sunday of its week (WEEKLY, Monday to Sunday) or the last day of its month (MONTHLY).
 */
export const SETTLEMENT_CYCLES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;
export type SettlementCycle = (typeof SETTLEMENT_CYCLES)[number];

/** The date the sales of `day` settle under: the end of its settlement period. */
export function settlementDateOf(day: string, cycle: SettlementCycle): string {
  switch (cycle) {
    case 'DAILY':
      return day;
    case 'WEEKLY':
      // getUTCDay: Sunday 0 ... Saturday 6.
      return addDays(day, (7 - new Date(`${day}T00:00:00Z`).getUTCDay()) % 7);
    case 'MONTHLY':
      return addDays(`${addMonth(day.slice(0, 7))}-01`, -1);
  }
}

function addMonth(yearMonth: string): string {
  const [year = 0, month = 0] = yearMonth.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** The days whose sales settle under `settlementDate` (a period's end), oldest first. */
export function periodDays(settlementDate: string, cycle: SettlementCycle): string[] {
  const first =
    cycle === 'DAILY'
      ? settlementDate
      : cycle === 'WEEKLY'
        ? addDays(settlementDate, -6)
        : `${settlementDate.slice(0, 7)}-01`;
  const count = (Date.parse(`${settlementDate}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS + 1;
  return seoulDaysEndingAt(settlementDate, count);
}

/** The newest settlement date on or before `day`. */
export function settlementDateOnOrBefore(day: string, cycle: SettlementCycle): string {
  const own = settlementDateOf(day, cycle);
  if (own === day) return own;
  const [first = day] = periodDays(own, cycle);
  return settlementDateOf(addDays(first, -1), cycle);
}

/** The `count` settlement dates ending with the newest on or before `last`, oldest first. */
export function settlementDatesEndingAt(last: string, count: number, cycle: SettlementCycle): string[] {
  const dates = [settlementDateOnOrBefore(last, cycle)];
  while (dates.length < count) {
    const [first = last] = periodDays(dates[0] ?? last, cycle);
    dates.unshift(settlementDateOf(addDays(first, -1), cycle));
  }
  return dates;
}

/**
 * When a day can be closed: its settlement rows appear from the next day, so a day closes
 * `settlementLagMs` after it ends in Seoul (midnight there), never before.
 */
export function dayClosesAt(day: string, settlementLagMs: number): Date {
  return new Date(Date.parse(`${addDays(day, 1)}T00:00:00Z`) - SEOUL_OFFSET_MS + settlementLagMs);
}

export function isDayClosed(day: string, now: Date, settlementLagMs: number): boolean {
  return now.getTime() >= dayClosesAt(day, settlementLagMs).getTime();
}

/** The newest day that is closed at `now`. */
export function newestClosedDay(now: Date, settlementLagMs: number): string {
  const candidate = seoulDay(new Date(now.getTime() - settlementLagMs - DAY_MS));
  // One day later may already be closed (the lag rounds across midnight); never a day still open.
  const next = addDays(candidate, 1);
  return isDayClosed(next, now, settlementLagMs) ? next : candidate;
}

/**
 * The days a scheduled run reconciles, oldest first, out of `closed` (every closed day of the
 * window, oldest first): every day not completed since the first completed one (or only the newest,
 * when none is: there is no known start), and the `recheck` newest completed days again, since
 * the PSP's rows of a closed day can still change.
 */
export function daysToReconcile(
  closed: readonly string[],
  completed: ReadonlySet<string>,
  recheck: number,
): string[] {
  const first = closed.findIndex((day) => completed.has(day));
  if (first === -1) return closed.slice(-1);
  const since = closed.slice(first);
  const done = since.filter((day) => completed.has(day));
  const rechecked = new Set(recheck > 0 ? done.slice(-recheck) : []);
  return since.filter((day) => !completed.has(day) || rechecked.has(day));
}
