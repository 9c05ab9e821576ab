import { sleep } from './retry';

/**
 * A token bucket in quota units, for Gmail's per-user quota (250 units/s as a moving average).
 * `take(cost)` resolves once the bucket holds `cost` units. The bucket starts full but holds
 * at most `burst` units, so a burst never exceeds what the peer's one-second window allows.
 */
export class TokenBucket {
  private units: number;
  private last: number;
  /** Waiters in arrival order, so a large cost is not starved by small ones. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private ratePerSecond: number,
    private readonly burst: number = ratePerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.units = burst;
    this.last = now();
  }

  /** The most units one `take` may ask for (the burst), so callers can size their batches. */
  get capacity(): number {
    return this.burst;
  }

  /** Changes the rate (e.g. after the peer said "slow down"); units already held stay. */
  setRate(ratePerSecond: number): void {
    this.refill();
    this.ratePerSecond = ratePerSecond;
  }

  take(cost: number, signal?: AbortSignal): Promise<void> {
    if (cost > this.burst) throw new RangeError(`A cost of ${cost} units can never fit a bucket of ${this.burst}.`);
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        this.refill();
        if (this.units >= cost) {
          this.units -= cost;
          return;
        }
        await sleep(Math.ceil(((cost - this.units) / this.ratePerSecond) * 1000), signal);
      }
    });
    // A cancelled waiter must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.now();
    this.units = Math.min(this.burst, this.units + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
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
