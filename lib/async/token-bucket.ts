/**
 * A token bucket: up to `burst` takes at once, refilled one per `refillMs`. It paces work a page
 * can trigger at will (mutations, removals) without delaying the first few.
 */
export interface TokenBucket {
  /** Takes a token if one is there; false when the bucket is empty. */
  take(): boolean;
  /** How long until a token is there: 0 when one is. */
  waitMs(): number;
}

/** A full bucket of `burst` tokens; `now` is the clock (tests pass their own). */
export function tokenBucket(burst: number, refillMs: number, now: () => number = Date.now): TokenBucket {
  let tokens = burst;
  let refilledAt = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - refilledAt) / refillMs);
    refilledAt = t;
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    waitMs() {
      refill();
      return tokens >= 1 ? 0 : (1 - tokens) * refillMs;
    },
  };
}
