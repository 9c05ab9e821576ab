import { TokenBucket } from '../../sync/rate-limit';

/**
 * Gmail's per-user quota: 250 units per user per second as a moving average (15,000 a minute),
 * and what each method we call costs ("Usage limits", Gmail API reference).
 */
export const GMAIL_UNITS_PER_SECOND = 250;

export const GMAIL_COSTS = {
  getProfile: 1,
  sendAsList: 1,
  historyList: 2,
  messagesList: 5,
  messagesGet: 5,
  threadsGet: 10,
  messagesSend: 100,
} as const;

/**
 * The share of the quota the bucket refills at. A token bucket lets `burst + rate` units through
 * in any one second; with 50-call batches as large as the burst (250 units), the batches must also
 * be more than a second apart, or two of them land in one second of Gmail's moving window. 92 %
 * spaces them 1.087 s apart, about 85 ms of slack for network jitter. Measured by
 * tests/bench/gmail-quota.ts (20 s of getMessages against the emulator at 250 units/s): at 100 %,
 * 250 units/s achieved but 450 units in one second (1.8× the bound); at 92 %, 230 units/s
 * (0.92 of the bound), at most 250 units in any second, no 429.
 */
export const QUOTA_HEADROOM = 0.92;

/**
 * The bucket every call of one Gmail provider shares, in quota units: refills at
 * `QUOTA_HEADROOM × unitsPerSecond`, holds at most one second of units. It starts empty: a
 * provider created after the MV3 worker restarted cannot know what the previous worker spent in
 * the last second, and a full bucket would let it spend that second again.
 */
export function gmailBucket(unitsPerSecond: number = GMAIL_UNITS_PER_SECOND): TokenBucket {
  const bucket = new TokenBucket(unitsPerSecond * QUOTA_HEADROOM, unitsPerSecond);
  void bucket.take(bucket.capacity);
  return bucket;
}

/**
 * Waits for `cost` units. A call dearer than the whole bucket (messages.send under a scaled-down
 * quota) waits for a full bucket, as Gmail admits it then too.
 */
export function takeUnits(bucket: TokenBucket, cost: number, signal?: AbortSignal): Promise<void> {
  return bucket.take(Math.min(cost, bucket.capacity), signal);
}
