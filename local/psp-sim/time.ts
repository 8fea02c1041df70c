/** Toss reports times in Korea Standard Time, which has no daylight saving time. */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const kstShifted = (date: Date) => new Date(date.getTime() + KST_OFFSET_MS).toISOString();

/** ISO-8601 with the +09:00 offset and whole seconds, as Toss writes it: 2024-03-01T12:00:00+09:00. */
export function toKstIso(date: Date): string {
  return `${kstShifted(date).slice(0, 19)}+09:00`;
}

/** A webhook's createdAt as Toss documents it: Seoul local time, microseconds, no offset (yyyy-MM-dd'T'HH:mm:ss.SSSSSS). */
export function toKstLocalMicros(date: Date): string {
  return `${kstShifted(date).slice(0, 23)}000`;
}

/** The calendar date (YYYY-MM-DD) in Asia/Seoul. */
export function kstDate(date: Date): string {
  return kstShifted(date).slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A real YYYY-MM-DD calendar date (rejects 2024-02-30, which Date would roll over). */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
