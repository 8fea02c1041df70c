/** Time as the use cases see it; tests pass a fixed or stepping clock. */
export type Clock = () => Date;

export function addMs(clock: Date, ms: number): string {
  return new Date(clock.getTime() + ms).toISOString();
}
