/**
 * Calls `onGone` once this process's parent has exited, however it ended (even `kill -9`, which
 * no exit handler of the parent sees): the kernel then re-parents us, so our parent pid changes.
 * Polling is the portable way (Linux's PR_SET_PDEATHSIG is not reachable from Node).
 */
export function whenParentExits(onGone: () => void, intervalMs = 250): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
