/**
 * Error lines of the local runtime, at most one per kind per window: a dead emulator makes every
 * poll fail, and one line a few seconds with a count of the rest says as much as thousands.
 */
export class QuietLog {
  private readonly kinds = new Map<string, { lastAt: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 10_000,
    private readonly write: (line: string, detail?: unknown) => void = (line, detail) =>
      detail === undefined ? console.error(line) : console.error(line, detail),
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `message` (and `detail`) unless the same kind was logged less than a window ago. */
  error(kind: string, message: string, detail?: unknown): void {
    const now = this.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.lastAt < this.windowMs) {
      seen.suppressed += 1;
      return;
    }
    const suffix = seen?.suppressed
      ? ` (${seen.suppressed} more like it in the last ${Math.round((now - seen.lastAt) / 1000)} s not shown)`
      : '';
    this.kinds.set(kind, { lastAt: now, suppressed: 0 });
    this.write(`[local] ${message}${suffix}`, detail);
  }
}

/** The runtime's shared instance. */
export const quietLog = new QuietLog();
