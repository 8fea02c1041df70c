import { isCalendarDate, seoulDay } from '../lambdas/domain/business-day';

/** A `--date` the reconcile command refuses; the CLI exits 2 with its message. */
export class InvalidReconcileDate extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidReconcileDate';
  }
}

/**
 * The Seoul business day `reconcile --date` may ask for: a real calendar date, not in the future,
 * and not before `earliest` (the first day a payment can exist, when known).
 */
export function reconcileDate(text: string | undefined, now: Date, earliest?: string): string {
  if (text === undefined) throw new InvalidReconcileDate('reconcile needs --date YYYY-MM-DD');
  if (!isCalendarDate(text)) {
    throw new InvalidReconcileDate(`--date ${text} is not a calendar date (YYYY-MM-DD)`);
  }
  const today = seoulDay(now);
  if (text > today) {
    throw new InvalidReconcileDate(`--date ${text} is in the future: today is ${today} in Seoul`);
  }
  if (earliest !== undefined && text < earliest) {
    throw new InvalidReconcileDate(
      `--date ${text} is before any payment: the payments table exists since ${earliest} (Seoul)`,
    );
  }
  return text;
}
