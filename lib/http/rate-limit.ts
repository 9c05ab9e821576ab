import { sleep } from './retry';

/** A caller of `SlidingWindowLimiter.take` waiting for its turn. */
interface Waiter {
  cost: number;
  grant(): void;
}

/**
 * At most `limit` units in any `windowMs`, for Gmail's per-user quota (250 units per second as a
 * moving average). `take(cost)` resolves once the units granted in the last `windowMs` plus
 * `cost` fit the limit. Unlike a token bucket, which lets a full burst plus the refill through
 * after an idle spell, the bound holds for every window, idle or busy. Callers are served in
 * arrival order, so a large cost is not starved by small ones.
 */
export class SlidingWindowLimiter {
  /** Grants still inside the window, oldest first from `head`; `used` is their sum. */
  private grants: { at: number; cost: number }[] = [];
  private head = 0;
  private used = 0;
  private waiting: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Waits until `cost` units fit the window; rejects with the signal's reason on abort. */
  take(cost: number, signal?: AbortSignal): Promise<void> {
    if (cost > this.limit) throw new RangeError(`A cost of ${cost} units can never fit a window of ${this.limit}.`);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== waiter);
        reject(signal!.reason);
        // The cancelled caller may have been the head: the ones behind it may fit now.
        this.serve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.serve();
    });
  }

  /** Grants the waiters at the head of the queue that fit, then sleeps until the next one can. */
  private serve(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    while (this.head < this.grants.length && this.grants[this.head]!.at <= now - this.windowMs) this.used -= this.grants[this.head++]!.cost;
    if (this.head > 64 && this.head * 2 > this.grants.length) {
      this.grants = this.grants.slice(this.head);
      this.head = 0;
    }
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.cost <= this.limit) {
      const waiter = this.waiting.shift()!;
      this.grants.push({ at: now, cost: waiter.cost });
      this.used += waiter.cost;
      waiter.grant();
    }
    if (this.waiting.length === 0) return;
    // The head fits once enough of the oldest grants have left the window.
    let freed = 0;
    let index = this.head;
    while (this.used - freed + this.waiting[0]!.cost > this.limit) freed += this.grants[index++]!.cost;
    const fitsAt = this.grants[index - 1]!.at + this.windowMs;
    this.timer = setTimeout(() => this.serve(), Math.max(1, Math.ceil(fitsAt - now)));
  }
}

/**
 * At most `limit` operations at once (Graph: 4 concurrent requests per mailbox), plus an
 * optional budget of `budget` starts per `windowMs` (Graph: 10,000 per 10 minutes).
 *
 * An operation can weigh more than one: a Graph `$batch` of n parts is n requests to the mailbox
 * (Graph runs the parts in parallel and counts each), so it takes n slots, at most `limit`, and n
 * units of the budget.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private waiting: { slots: number; grant: () => void }[] = [];
  private starts: number[] = [];

  constructor(
    readonly limit: number,
    private readonly budget: { requests: number; windowMs: number } | null = null,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Runs `operation` once `weight` requests fit both the concurrency and the budget. */
  async run<T>(operation: () => Promise<T>, signal?: AbortSignal, weight = 1): Promise<T> {
    if (!Number.isInteger(weight) || weight < 1 || (this.budget && weight > this.budget.requests)) throw new RangeError(`A weight of ${weight} requests can never fit.`);
    const slots = Math.min(weight, this.limit);
    await this.acquire(slots, signal);
    try {
      await this.withinBudget(weight, signal);
      return await operation();
    } finally {
      this.release(slots);
    }
  }

  /** How many slots are taken right now (for tests and diagnostics). */
  get running(): number {
    return this.active;
  }

  /** Waits for `slots` free slots; callers are served in arrival order, so a heavy one is not starved. */
  private acquire(slots: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.waiting.length === 0 && this.active + slots <= this.limit) {
      this.active += slots;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        slots,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active += slots;
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== waiter);
        reject(signal!.reason);
        // The cancelled caller may have been the head: the ones behind it may fit now.
        this.serve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(slots: number): void {
    this.active -= slots;
    this.serve();
  }

  /** Grants the waiters at the head of the queue that fit. */
  private serve(): void {
    while (this.waiting.length > 0 && this.active + this.waiting[0]!.slots <= this.limit) this.waiting.shift()!.grant();
  }

  private async withinBudget(weight: number, signal?: AbortSignal): Promise<void> {
    if (!this.budget) return;
    const { requests, windowMs } = this.budget;
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - windowMs) this.starts.shift();
      if (this.starts.length + weight <= requests) {
        for (let n = 0; n < weight; n++) this.starts.push(now);
        return;
      }
      // The oldest starts leave the window first: wait until `weight` of them have.
      await sleep(this.starts[this.starts.length + weight - requests - 1]! + windowMs - now, signal);
    }
  }
}
