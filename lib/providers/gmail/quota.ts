import { type LimiterStateStore, memoryLimiterState } from '../../http/limiter-state';
import { SlidingWindowLimiter } from '../../http/rate-limit';

/**
 * Gmail's per-user quota: 250 units per user per second as a moving average (15,000 a minute),
 * and what each method we call costs ("Usage limits", Gmail API reference).
 */
export const GMAIL_UNITS_PER_SECOND = 250;

export const GMAIL_COSTS = {
  getProfile: 1,
  labelsList: 1,
  sendAsList: 1,
  historyList: 2,
  messagesList: 5,
  messagesGet: 5,
  threadsGet: 10,
  messagesSend: 100,
} as const;

/**
 * Milliseconds added to the limiter's window. The limiter counts a call from when it leaves;
 * Gmail counts it from when it arrives, and a batch's parts reach the quota check one after the
 * other. A batch that left one window after the previous one must not reach Gmail less than a
 * second after the previous one's last part, so the margin has to cover that skew. Fewer units
 * would not help: a batch takes the whole limit at once, so two batches in one second are over
 * it whatever the limit. Measured by tests/bench/gmail-quota.ts against the emulator's strict
 * window (emulator in the same process, 2 cores): the skew was 26 to 48 ms at worst per run;
 * 0 ms gave 197 answers 429 in a run, 10 ms gave 12, 20 and 30 ms none in two runs each; 50 ms
 * covers the worst skew seen and keeps 0.95 of the quota (238 units/s). Real networks jitter
 * more; a rare 429 is retried (R12).
 */
export const QUOTA_MARGIN_MS = 50;

/**
 * The limiter every call of one Gmail mailbox shares: at most `unitsPerSecond` units in any window
 * of one second plus `marginMs` (the benchmark varies both). Its grants are kept in `state`
 * (session storage in the extension), so a provider created after the MV3 worker restarted goes
 * on from what the previous worker spent in the last window. With nothing stored (a new browser
 * session, or no `state` given: an in-memory store is used) it cannot know what was spent, so it
 * counts the window as full when it starts and its first call waits one window. See
 * `SlidingWindowLimiter` for how writes are batched.
 */
export function gmailLimiter(options: { state?: LimiterStateStore; unitsPerSecond?: number; marginMs?: number } = {}): SlidingWindowLimiter {
  const { state = memoryLimiterState(), unitsPerSecond = GMAIL_UNITS_PER_SECOND, marginMs = QUOTA_MARGIN_MS } = options;
  return new SlidingWindowLimiter(unitsPerSecond, 1000 + marginMs, { source: 'gmail', state });
}

/**
 * Waits for `cost` units. A call dearer than the whole limit (messages.send under a scaled-down
 * quota) waits for an empty window, as Gmail admits it then too.
 */
export function takeUnits(limiter: SlidingWindowLimiter, cost: number, signal?: AbortSignal): Promise<void> {
  return limiter.take(Math.min(cost, limiter.limit), signal);
}

/** Wall-clock hour, minute, second and millisecond in Google's quota time zone (US Pacific). */
const pacificClock = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' });

/**
 * Milliseconds from `now` until Gmail's daily quotas reset: midnight US Pacific time ("Usage
 * limits": daily quotas reset at midnight Pacific), by the Pacific wall clock. Before the clocks
 * change on the two days a year they do, it is an hour late (spring) or early (fall): one extra
 * retry at worst. A daily limit used up is a wait until then, which the engine persists as "not
 * before" (R12).
 */
export function msUntilPacificMidnight(now: number): number {
  const parts = Object.fromEntries(pacificClock.formatToParts(now).map((part) => [part.type, Number(part.value)]));
  const elapsed = ((parts.hour! * 60 + parts.minute!) * 60 + parts.second!) * 1000 + (now % 1000);
  return 24 * 3600_000 - elapsed;
}
