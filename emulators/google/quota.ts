/** The span of Gmail's per-user moving average: "250 quota units per user per second". */
const WINDOW_MS = 1000;

/** One user's admitted calls, oldest first from `head`, and the units they add up to. */
interface UserWindow {
  calls: { at: number; cost: number }[];
  head: number;
  units: number;
}

/**
 * Gmail's per-user quota as a sliding one-second window: a call is admitted only when the units
 * admitted in the last 1000 ms plus its cost stay within `unitsPerSecond`, so no second ever
 * holds more than the bound (a bucket that refills continuously let nearly twice that through).
 * A call dearer than the whole bound (messages.send under a scaled-down quota) is admitted into
 * an empty window, else it could never run.
 *
 * A refused call takes nothing: Google does not document charging refused calls, and its quota
 * errors ("Insufficient tokens for quota …") describe a check made before the units are spent.
 * Each user's calls sit in a queue, so a check costs O(1) amortised.
 */
export class GmailQuota {
  private users = new Map<string, UserWindow>();

  /** Charges `cost` units to the user's window; false (and nothing charged) when they do not fit. */
  take(user: string, cost: number, unitsPerSecond: number): boolean {
    const now = performance.now();
    const window = this.users.get(user) ?? { calls: [], head: 0, units: 0 };
    this.users.set(user, window);
    while (window.head < window.calls.length && window.calls[window.head]!.at <= now - WINDOW_MS) window.units -= window.calls[window.head++]!.cost;
    // Drop the expired prefix once it is most of the array, so the queue stays small.
    if (window.head > 64 && window.head * 2 > window.calls.length) {
      window.calls = window.calls.slice(window.head);
      window.head = 0;
    }
    if (window.units + cost > unitsPerSecond && window.units > 0) return false;
    window.calls.push({ at: now, cost });
    window.units += cost;
    return true;
  }

  clear(): void {
    this.users.clear();
  }
}
