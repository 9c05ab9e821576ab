/**
 * Calls `run` once a burst of `trigger()` calls has been quiet for `waitMs` (trailing), and at the
 * latest `maxWaitMs` after the burst's first call, so a stream of triggers cannot hold it off for
 * ever. `cancel()` drops a pending call.
 */
export function debounce(run: () => void, waitMs: number, maxWaitMs: number): { trigger(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstAt = 0;
  const fire = () => {
    timer = null;
    run();
  };
  return {
    trigger() {
      const now = Date.now();
      if (timer === null) firstAt = now;
      else clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, Math.min(waitMs, firstAt + maxWaitMs - now)));
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
