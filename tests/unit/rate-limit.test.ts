import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, TokenBucket } from '@/lib/sync/rate-limit';
import { sleep } from '@/lib/sync/retry';

describe('TokenBucket (Gmail per-user quota)', () => {
  it('lets a full burst through at once, then paces at the rate', async () => {
    const bucket = new TokenBucket(100, 20);
    const started = performance.now();
    for (let i = 0; i < 4; i++) await bucket.take(5);
    expect(performance.now() - started).toBeLessThan(15);
    // 20 more units at 100/s need about 200 ms.
    for (let i = 0; i < 4; i++) await bucket.take(5);
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('never lets more than rate × window + burst units through in any window', async () => {
    let clock = 0;
    const bucket = new TokenBucket(50, 50, () => clock);
    const grants: number[] = [];
    const waiters = Array.from({ length: 30 }, () => bucket.take(5).then(() => grants.push(clock)));
    // Advance a fake clock in small steps; real timers only resolve the waits.
    while (grants.length < waiters.length) {
      clock += 20;
      await sleep(1);
    }
    const perSecond = grants.filter((t) => t >= 1000 && t < 2000).length * 5;
    expect(perSecond).toBeLessThanOrEqual(50);
    expect(grants.filter((t) => t === 0).length * 5).toBeLessThanOrEqual(50);
  });

  it('refuses a cost larger than the bucket, and stops waiting on abort', async () => {
    const bucket = new TokenBucket(10, 10);
    expect(() => bucket.take(11)).toThrow(RangeError);
    await bucket.take(10);
    const controller = new AbortController();
    const waiting = bucket.take(10, controller.signal);
    controller.abort(new Error('cancelled by the user'));
    await expect(waiting).rejects.toThrow('cancelled by the user');
    // The cancelled waiter does not block the next one for ever.
    await expect(bucket.take(1)).resolves.toBeUndefined();
  });
});

describe('ConcurrencyLimiter (Graph: 4 concurrent per mailbox)', () => {
  it('runs at most `limit` operations at once and all of them in the end', async () => {
    const limiter = new ConcurrencyLimiter(4);
    let inFlight = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, ++inFlight);
          await sleep(5);
          inFlight--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(4);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.running).toBe(0);
  });

  it('keeps to the request budget per window', async () => {
    let clock = 0;
    const limiter = new ConcurrencyLimiter(10, { requests: 3, windowMs: 1000 }, () => clock);
    const started: number[] = [];
    const all = Promise.all(Array.from({ length: 5 }, () => limiter.run(async () => started.push(clock))));
    await sleep(5);
    expect(started).toHaveLength(3);
    clock = 1001;
    await all;
    expect(started).toEqual([0, 0, 0, 1001, 1001]);
  });

  it('releases its slot when an operation fails, and a waiting caller can abort', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const hold = limiter.run(() => sleep(30));
    const controller = new AbortController();
    const queued = limiter.run(async () => 'never', controller.signal);
    controller.abort(new Error('stopped'));
    await expect(queued).rejects.toThrow('stopped');
    await hold;
    expect(limiter.running).toBe(0);
  });
});
