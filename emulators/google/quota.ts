/**
 * Gmail's per-user quota: a moving average of `unitsPerSecond`, kept as a bucket that holds one
 * second of units and refills continuously. A call is admitted when the bucket holds its cost;
 * a call dearer than a whole second (messages.send under a tight limit) needs a full bucket.
 * A refused call takes nothing.
 */
export class GmailQuota {
  private buckets = new Map<string, { units: number; at: number }>();

  /** Takes `cost` units from the user's bucket; false when the quota is used up. */
  take(user: string, cost: number, unitsPerSecond: number): boolean {
    const now = performance.now();
    const bucket = this.buckets.get(user) ?? { units: unitsPerSecond, at: now };
    bucket.units = Math.min(unitsPerSecond, bucket.units + ((now - bucket.at) / 1000) * unitsPerSecond);
    bucket.at = now;
    this.buckets.set(user, bucket);
    if (bucket.units < Math.min(cost, unitsPerSecond)) return false;
    bucket.units -= cost;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }
}
