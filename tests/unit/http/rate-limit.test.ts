import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimiter, SlidingWindowLimiter } from '@/lib/http/rate-limit';
import { sleep } from '@/lib/http/retry';
import { type LimiterState, memoryLimiterState } from '@/lib/http/limiter-state';
import { gmailLimiter } from '@/lib/providers/gmail/quota';
import { failure } from '../../support/provider-error';

/** A seeded generator (mulberry32), so a failing arrival pattern can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most units granted inside any window of `ms`: every window that starts at a grant, summed. */
function maxInWindow(grants: { at: number; cost: number }[], ms: number): number {
  return Math.max(0, ...grants.map(({ at }) => grants.filter((g) => g.at >= at && g.at < at + ms).reduce((sum, g) => sum + g.cost, 0)));
}

describe('SlidingWindowLimiter (Gmail per-user quota)', () => {
  // Fake timers drive both the waits and the limiter's clock (Date.now is faked too).
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());
  const limiter = (limit: number, windowMs: number) => new SlidingWindowLimiter(limit, windowMs, { source: 'gmail', now: () => Date.now() });

  it('never lets more than the limit through in any window, idle gaps included, and serves in arrival order', async () => {
    const random = seeded(7);
    const window = limiter(250, 1000);
    const grants: { at: number; cost: number; index: number }[] = [];
    const costs = [1, 2, 5, 5, 5, 10, 50, 100, 250];
    let at = 0;
    let index = 0;
    const taken: Promise<void>[] = [];
    // 40 s of arrivals: bursts of 1 to 40 calls, separated by pauses of 0 to 3 s (idle spells).
    while (at < 40_000) {
      const burst = 1 + Math.floor(random() * 40);
      for (let i = 0; i < burst; i++) {
        const cost = costs[Math.floor(random() * costs.length)]!;
        const n = index++;
        at += Math.floor(random() * 20);
        setTimeout(() => taken.push(window.take(cost).then(() => void grants.push({ at: Date.now(), cost, index: n }))), at);
      }
      at += Math.floor(random() * 3000);
    }
    await vi.advanceTimersByTimeAsync(at);
    while (grants.length < index) await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(taken);
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(250);
    // Full windows were reached, so the check above had something to hold back.
    expect(maxInWindow(grants, 1000)).toBeGreaterThan(200);
    expect(grants.map((g) => g.index)).toEqual(grants.map((_, i) => i));
  });

  it('gives steady demand at least 95 % of the limit', async () => {
    const window = limiter(250, 1000);
    const grants: { at: number; cost: number }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        await window.take(5);
        grants.push({ at: Date.now(), cost: 5 });
      }
    };
    const workers = [worker(), worker(), worker()];
    await vi.advanceTimersByTimeAsync(20_000);
    stop = true;
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(workers);
    const units = grants.filter((g) => g.at < 20_000).reduce((sum, g) => sum + g.cost, 0);
    expect(units / 20).toBeGreaterThanOrEqual(0.95 * 250);
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(250);
  });

  it('lets a full window through at once after an idle spell, then nothing until the oldest grant leaves', async () => {
    const window = limiter(10, 1000);
    await vi.advanceTimersByTimeAsync(5000);
    for (let i = 0; i < 10; i++) await window.take(1);
    let granted = false;
    void window.take(1).then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toBe(true);
  });

  it('refuses a cost above the limit, and an aborted waiter stops at once without blocking the ones behind it', async () => {
    const window = limiter(10, 1000);
    expect(() => window.take(11)).toThrow(RangeError);
    await window.take(8);
    const controller = new AbortController();
    const big = window.take(10, controller.signal);
    let small = false;
    void window.take(2).then(() => (small = true));
    await vi.advanceTimersByTimeAsync(10);
    // First in, first out: the 2 units would fit, but the 10 arrived first.
    expect(small).toBe(false);
    controller.abort(new Error('cancelled by the user'));
    await expect(big).rejects.toThrow('cancelled by the user');
    await vi.advanceTimersByTimeAsync(0);
    expect(small).toBe(true);
    await expect(window.take(1, controller.signal)).rejects.toThrow('cancelled by the user');
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
    const limiter = new ConcurrencyLimiter(10, { requests: 3, windowMs: 1000, source: 'outlook' }, () => clock);
    const started: number[] = [];
    const all = Promise.all(Array.from({ length: 5 }, () => limiter.run(async () => started.push(clock))));
    await sleep(5);
    expect(started).toHaveLength(3);
    clock = 1001;
    await all;
    expect(started).toEqual([0, 0, 0, 1001, 1001]);
  });

  it('counts a weighted operation (a $batch of n parts) as n requests: n slots at most the limit, n units of the budget', async () => {
    let clock = 0;
    const limiter = new ConcurrencyLimiter(4, { requests: 10, windowMs: 50, source: 'outlook' }, () => clock);
    const log: string[] = [];
    const batch = (name: string, weight: number, on = limiter) =>
      on.run(
        async () => {
          log.push(`${name} with ${on.running} slots taken`);
          await sleep(5);
        },
        undefined,
        weight,
      );
    // A batch of 3 and one of 4 never run together; a single request behind them waits its turn.
    const first = Promise.all([batch('three', 3), batch('four', 4), batch('one', 1)]);
    await sleep(1);
    expect(log).toEqual(['three with 3 slots taken']);
    await first;
    expect(log).toEqual(['three with 3 slots taken', 'four with 4 slots taken', 'one with 1 slots taken']);
    // 8 of the 10 units are spent: a batch of 3 waits until the window has moved on.
    const late = batch('late three', 3);
    await sleep(10);
    expect(log).toHaveLength(3);
    clock = 50;
    await late;
    expect(log.at(-1)).toBe('late three with 3 slots taken');
    await expect(limiter.run(async () => undefined, undefined, 11)).rejects.toThrow(RangeError);
    // A batch of more parts than the limit takes every slot.
    await batch('twenty', 20, new ConcurrencyLimiter(4));
    expect(log.at(-1)).toBe('twenty with 4 slots taken');
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

describe('limiter waits longer than an MV3 worker lives (§2.3)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('a window that frees up only after the bound fails every waiting caller at once with rate_limited and the wait', async () => {
    const window = new SlidingWindowLimiter(2, 60_000, { source: 'outlook' });
    await window.take(2);
    await vi.advanceTimersByTimeAsync(5000);
    const first = failure(window.take(1));
    const second = failure(window.take(2));
    // No time passes: nothing sleeps.
    expect((await first).data).toMatchObject({ code: 'rate_limited', source: 'outlook', retryable: true, retryAfterMs: 55_000 });
    expect((await second).data.retryAfterMs).toBe(55_000);
    expect(Date.now()).toBe(5000);
    // Once the window has moved on, the limiter serves again.
    await vi.advanceTimersByTimeAsync(55_000);
    await window.take(2);
  });

  it('a Graph budget spent for 10 minutes fails the run at once, and frees its concurrency slot', async () => {
    const limiter = new ConcurrencyLimiter(1, { requests: 3, windowMs: 600_000, source: 'outlook' });
    for (let i = 0; i < 3; i++) await limiter.run(async () => i);
    await vi.advanceTimersByTimeAsync(1000);
    let ran = false;
    const error = await failure(limiter.run(async () => (ran = true)));
    expect(error.data).toMatchObject({ code: 'rate_limited', retryAfterMs: 599_000 });
    expect(ran).toBe(false);
    expect(limiter.running).toBe(0);
  });
});

describe('limiter state across worker restarts (§2.6)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 100_000 }));
  afterEach(() => vi.useRealTimers());
  /** Whether `take` resolved by now. */
  const granted = (take: Promise<void>) => {
    const state = { done: false };
    void take.then(() => (state.done = true));
    return state;
  };

  it('with nothing stored, a Gmail limiter counts its first window as full: its first call waits one window', async () => {
    const limiter = gmailLimiter({ state: memoryLimiterState(), marginMs: 0 });
    const first = granted(limiter.take(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(first.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.done).toBe(true);
  });

  it('a Gmail limiter restarted within a window does not start empty: the open lease of the last worker counts as spent up to the restart', async () => {
    const state = memoryLimiterState();
    const before = gmailLimiter({ state, marginMs: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 50; i++) await before.take(5);
    // The worker stops 400 ms later; the next one restores from session storage.
    await vi.advanceTimersByTimeAsync(400);
    const after = gmailLimiter({ state, marginMs: 0 });
    const next = granted(after.take(5));
    // 250 units were spent 400 ms ago, but the lease saved before them let that worker go on unsaved.
    await vi.advanceTimersByTimeAsync(999);
    expect(next.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.done).toBe(true);
  });

  it('a restarted Graph budget restores the starts of the last 10 minutes, not only the open lease', async () => {
    const state = memoryLimiterState();
    const budget = { requests: 400, windowMs: 600_000, source: 'outlook' as const, state };
    const before = new ConcurrencyLimiter(4, budget);
    // 300 starts over 5 minutes; with nothing stored the limiter counted one lease (7 starts) at its start.
    for (let i = 0; i < 300; i++) {
      await before.run(async () => i);
      await vi.advanceTimersByTimeAsync(1000);
    }
    const after = new ConcurrencyLimiter(4, budget);
    let started = 0;
    const error = await failure(
      (async () => {
        for (;;) await after.run(async () => started++);
      })(),
    );
    // 400, less the lease counted when nothing was stored (7), the 300 starts, and the one start of
    // the last lease (7) that was not used: a lease counts whole.
    expect(started).toBe(400 - 7 - 300 - 1);
    // The oldest starts (at 100 s) leave the window at 700 s; the stored history may round them up
    // by a hundredth of the window (6 s).
    expect(error.data.code).toBe('rate_limited');
    expect(error.data.retryAfterMs).toBeGreaterThanOrEqual(300_000);
    expect(error.data.retryAfterMs).toBeLessThanOrEqual(306_000);
  });

  it('grants inside a lease are not written one by one, and still count after a restart', async () => {
    const state = memoryLimiterState();
    const before = new SlidingWindowLimiter(250, 1000, { source: 'gmail', state });
    await vi.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 40; i++) await before.take(5);
    // 200 units, one save (the lease opened before the first grant); none of the grants written.
    expect(state.saves).toBe(1);
    expect((state.saved as LimiterState).grants).toEqual([]);
    expect((state.saved as LimiterState).lease).toEqual({ until: Date.now() + 10_000, units: 250 });
    const after = new SlidingWindowLimiter(250, 1000, { source: 'gmail', state });
    const next = granted(after.take(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(next.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.done).toBe(true);
  });

  it('a sustained load writes about once a lease, not once a grant', async () => {
    const state = memoryLimiterState();
    const limiter = gmailLimiter({ state });
    let grants = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        await limiter.take(5);
        grants++;
      }
    };
    const workers = [worker(), worker()];
    await vi.advanceTimersByTimeAsync(20_000);
    stop = true;
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(workers);
    // 250 units a lease at 250 units/s: about one save a second, for 50 grants each.
    expect(grants).toBeGreaterThan(900);
    expect(state.saves).toBeLessThanOrEqual(21);
  });

  it('a save that fails fails the caller waiting for it, and nothing is granted unsaved', async () => {
    const store = { load: async () => null, save: async () => Promise.reject(new Error('session storage is full')) };
    const limiter = new SlidingWindowLimiter(10, 1000, { source: 'gmail', state: store });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(limiter.take(1)).rejects.toThrow('session storage is full');
  });

  it('a stored state of the wrong shape counts as nothing stored', async () => {
    const limiter = new SlidingWindowLimiter(10, 1000, { source: 'gmail', state: { load: async () => ({ grants: 'x' }), save: async () => undefined } });
    const first = granted(limiter.take(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(first.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.done).toBe(true);
  });
});
