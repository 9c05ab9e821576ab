import { describe, expect, it } from 'vitest';
import { tokenBucket } from '@/lib/async';

describe('tokenBucket: a burst at once, then one per refill interval', () => {
  it('gives the burst at once, then makes the next take wait for its refill', () => {
    let now = 1_000;
    const bucket = tokenBucket(2, 100, () => now);
    expect(bucket.take()).toBe(true);
    expect(bucket.waitMs()).toBe(0);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    expect(bucket.waitMs()).toBe(100);
    now += 40;
    expect(bucket.waitMs()).toBeCloseTo(60);
    now += 60;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than its burst, however long it rested', () => {
    let now = 0;
    const bucket = tokenBucket(2, 100, () => now);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
