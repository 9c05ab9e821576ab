import { bestEffort, WaitQueue } from '../async';
import { type ProviderErrorData, providerError } from '../domain';
import { compactGrants, type Grant, type LimiterStateStore, loadLimiterState } from './limiter-state';
import { MAX_IN_MEMORY_WAIT_MS } from './retry';

/**
 * How long a lease of a persisted limiter lasts (see `SlidingWindowLimiter`). Longer means fewer
 * writes; shorter means fewer units counted twice after a restart.
 */
export const LEASE_MS = 10_000;

export interface SlidingWindowOptions {
  /** Who sets the limit: it names the error of a wait longer than `MAX_IN_MEMORY_WAIT_MS`. */
  source: ProviderErrorData['source'];
  /** Where the grants survive a worker restart; without it they live in this instance only. */
  state?: LimiterStateStore;
  /** Epoch milliseconds: stored grants are compared with the clock of the next worker. */
  now?: () => number;
}

/**
 * At most `limit` units in any `windowMs`, for Gmail's per-user quota (250 units per second as a
 * moving average) and Graph's request budget (10,000 per 10 minutes). `take(cost)` resolves once
 * the units granted in the last `windowMs` plus `cost` fit the limit. Unlike a token bucket, which
 * lets a full burst plus the refill through after an idle spell, the bound holds for every window,
 * idle or busy. Callers are served in arrival order, so a large cost is not starved by small ones.
 *
 * No caller waits in memory longer than `MAX_IN_MEMORY_WAIT_MS`: when the one at the head could
 * only be served later, every waiting caller fails at once with a retryable `rate_limited` whose
 * `retryAfterMs` is the head's wait (a lower bound for the ones behind it).
 *
 * With a `state` store the grants outlive the MV3 worker, and a new limiter starts from them:
 * - Before its first grant it loads the stored state. It counts the stored grants still inside
 *   the window, plus the units of the lease that was open when they were saved, as granted at the
 *   lease's end (or now, if that is later than now). With nothing stored, or a state it cannot
 *   read, it counts one lease's worth of units as granted now: for Gmail that is a full window,
 *   so no burst happens until a window has passed.
 * - Writes are batched by leases. Before it grants units not covered by the open lease, it
 *   saves its grants and a new lease: at most `leaseUnits` more units until `LEASE_MS` from now
 *   (`leaseUnits`: what the limit allows at full rate in `LEASE_MS`, at most the limit). Grants
 *   inside the lease are not written. This stays honest: every unit granted after the last save
 *   lies inside that save's lease, so a restart that counts the whole lease as spent at its end
 *   counts at least what was spent, never earlier than it was. The price is counting up to one
 *   lease that was not used. A save that fails fails the caller waiting for it, rather than grant
 *   units a restart could forget.
 */
export class SlidingWindowLimiter {
  /** Grants still inside the window, oldest first from `head`; `used` is their sum. */
  private grants: Grant[] = [];
  private head = 0;
  private used = 0;
  /** Callers waiting, each with the units it asks for. */
  private readonly waiting = new WaitQueue<number>(() => this.serve());
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly source: ProviderErrorData['source'];
  private readonly store: LimiterStateStore | null;
  private readonly now: () => number;
  /** Units one lease covers. */
  private readonly leaseUnits: number;
  /** The open lease: what may still be granted without a save, and until when. */
  private lease = { until: Number.NEGATIVE_INFINITY, units: 0 };
  /** Nothing is granted before the stored state is restored, nor while a lease is being saved. */
  private ready: boolean;
  private saving = false;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    options: SlidingWindowOptions,
  ) {
    this.source = options.source;
    this.store = options.state ?? null;
    this.now = options.now ?? (() => Date.now());
    this.leaseUnits = Math.min(limit, Math.ceil((limit * LEASE_MS) / windowMs));
    this.ready = this.store === null;
    if (this.store) void this.restore(this.store);
  }

  /** Waits until `cost` units fit the window; rejects with the signal's reason on abort. */
  take(cost: number, signal?: AbortSignal): Promise<void> {
    if (cost > this.limit) throw new RangeError(`A cost of ${cost} units can never fit a window of ${this.limit}.`);
    const granted = this.waiting.join(cost, signal);
    this.serve();
    return granted;
  }

  /** Loads the stored grants (see the class comment), then starts serving. */
  private async restore(store: LimiterStateStore): Promise<void> {
    // A store that cannot be read counts as one with nothing stored: the conservative start.
    const state = (await bestEffort('restore the rate limiter state', loadLimiterState(store))) ?? null;
    const now = this.now();
    const restored = (state?.grants ?? []).map((g) => ({ at: Math.min(g.at, now), cost: g.cost }));
    restored.push(state ? { at: Math.min(state.lease.until, now), cost: state.lease.units } : { at: now, cost: this.leaseUnits });
    this.grants = restored.filter((g) => g.cost > 0 && g.at > now - this.windowMs).sort((a, b) => a.at - b.at);
    this.used = this.grants.reduce((sum, g) => sum + g.cost, 0);
    this.ready = true;
    this.serve();
  }

  /** Saves the grants and a lease covering at least `cost` units, then serves again. */
  private async renewLease(now: number, cost: number): Promise<void> {
    this.saving = true;
    const lease = { until: now + LEASE_MS, units: Math.max(this.leaseUnits, cost) };
    try {
      await this.store!.save({ grants: compactGrants(this.grants.slice(this.head), this.windowMs), lease });
      this.lease = lease;
    } catch (error) {
      this.waiting.shift()?.fail(error);
    } finally {
      this.saving = false;
      this.serve();
    }
  }

  /** Grants the waiters at the head of the queue that fit, then sleeps until the next one can. */
  private serve(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.ready || this.saving) return;
    const now = this.now();
    // A clock set back leaves grants "in the future"; they count from now instead.
    if (this.grants.length > this.head && this.grants.at(-1)!.at > now) for (const g of this.grants) g.at = Math.min(g.at, now);
    while (this.head < this.grants.length && this.grants[this.head]!.at <= now - this.windowMs) this.used -= this.grants[this.head++]!.cost;
    if (this.head > 64 && this.head * 2 > this.grants.length) {
      this.grants = this.grants.slice(this.head);
      this.head = 0;
    }
    for (let next = this.waiting.head; next && this.used + next.ask <= this.limit; next = this.waiting.head) {
      const cost = next.ask;
      if (this.store) {
        if (now >= this.lease.until || cost > this.lease.units) return void this.renewLease(now, cost);
        this.lease.units -= cost;
      }
      this.waiting.shift();
      this.grants.push({ at: now, cost });
      this.used += cost;
      next.grant();
    }
    const waiting = this.waiting.head;
    if (!waiting) return;
    // The head fits once enough of the oldest grants have left the window.
    let freed = 0;
    let index = this.head;
    while (this.used - freed + waiting.ask > this.limit) freed += this.grants[index++]!.cost;
    const waitMs = Math.max(1, Math.ceil(this.grants[index - 1]!.at + this.windowMs - now));
    if (waitMs > MAX_IN_MEMORY_WAIT_MS) {
      const error = providerError('rate_limited', this.source, { retryAfterMs: waitMs });
      for (const waiter of this.waiting.drain()) waiter.fail(error);
      return;
    }
    this.timer = setTimeout(() => this.serve(), waitMs);
  }
}

/** A budget of operation starts per window, e.g. Graph's 10,000 requests per 10 minutes. */
export interface RequestBudget {
  requests: number;
  windowMs: number;
  /** Who sets the budget: it names the error when the budget is spent for longer than a worker lives. */
  source: ProviderErrorData['source'];
  /** Where the starts survive a worker restart (see `SlidingWindowLimiter`). */
  state?: LimiterStateStore;
}

/**
 * At most `limit` operations at once (Graph: 4 concurrent requests per mailbox), plus an
 * optional budget of starts per window (Graph: 10,000 per 10 minutes), kept by a
 * `SlidingWindowLimiter`: a spent budget fails at once with `rate_limited` and the time until a
 * start is free again, rather than sleep minutes in a worker that is stopped after 30 s.
 *
 * An operation can weigh more than one: a Graph `$batch` of n parts is n requests to the mailbox
 * (Graph runs the parts in parallel and counts each), so it takes n slots, at most `limit`, and n
 * units of the budget.
 */
export class ConcurrencyLimiter {
  private active = 0;
  /** Callers waiting, each with the slots it asks for. */
  private readonly waiting = new WaitQueue<number>(() => this.serve());
  private readonly budget: SlidingWindowLimiter | null;

  constructor(
    readonly limit: number,
    budget: RequestBudget | null = null,
    now: () => number = () => Date.now(),
  ) {
    this.budget = budget && new SlidingWindowLimiter(budget.requests, budget.windowMs, { source: budget.source, state: budget.state, now });
  }

  /** Runs `operation` once `weight` requests fit both the concurrency and the budget. */
  async run<T>(operation: () => Promise<T>, signal?: AbortSignal, weight = 1): Promise<T> {
    if (!Number.isInteger(weight) || weight < 1 || (this.budget && weight > this.budget.limit)) throw new RangeError(`A weight of ${weight} requests can never fit.`);
    const slots = Math.min(weight, this.limit);
    await this.acquire(slots, signal);
    try {
      await this.budget?.take(weight, signal);
      return await operation();
    } finally {
      this.release(slots);
    }
  }

  /**
   * Counts `weight` more requests against the budget: a repeat of a request `run` admitted (Graph
   * counts every request it receives, retries included). Waits like `run` when the budget is spent.
   */
  async spend(weight: number, signal?: AbortSignal): Promise<void> {
    await this.budget?.take(weight, signal);
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
    return this.waiting.join(slots, signal);
  }

  private release(slots: number): void {
    this.active -= slots;
    this.serve();
  }

  /** Grants the waiters at the head of the queue that fit. */
  private serve(): void {
    for (let next = this.waiting.head; next && this.active + next.ask <= this.limit; next = this.waiting.head) {
      this.waiting.shift();
      this.active += next.ask;
      next.grant();
    }
  }
}
