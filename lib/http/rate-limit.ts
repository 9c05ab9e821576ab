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
 */
export class ConcurrencyLimiter {
  private active = 0;
  private waiting: (() => void)[] = [];
  private starts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly budget: { requests: number; windowMs: number } | null = null,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async run<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      await this.withinBudget(signal);
      return await operation();
    } finally {
      this.release();
    }
  }

  /** How many operations run right now (for tests and diagnostics). */
  get running(): number {
    return this.active;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== grant);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async withinBudget(signal?: AbortSignal): Promise<void> {
    if (!this.budget) return;
    const { requests, windowMs } = this.budget;
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - windowMs) this.starts.shift();
      if (this.starts.length < requests) {
        this.starts.push(now);
        return;
      }
      await sleep(this.starts[0]! + windowMs - now, signal);
    }
  }
}
