/** A caller waiting in a `WaitQueue`, with what it asks for. */
export interface Waiting<T> {
  readonly ask: T;
  grant(): void;
  fail(error: unknown): void;
}

/**
 * Callers waiting in arrival order for what a limiter grants (units of a window, slots of
 * concurrency). A caller whose signal aborts leaves at once, its promise rejecting with the
 * signal's reason, and `onLeave` runs: the ones behind it may fit now.
 */
export class WaitQueue<T> {
  private items: Waiting<T>[] = [];

  constructor(private readonly onLeave: () => void) {}

  /** The caller served next, if any. */
  get head(): Waiting<T> | undefined {
    return this.items[0];
  }

  get length(): number {
    return this.items.length;
  }

  /** Joins the queue; resolves when the caller is granted, rejects when it fails or aborts. */
  join(ask: T, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const done = () => signal?.removeEventListener('abort', onAbort);
      const waiting: Waiting<T> = {
        ask,
        grant: () => {
          done();
          resolve();
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => {
        this.items = this.items.filter((w) => w !== waiting);
        reject(signal!.reason);
        this.onLeave();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.items.push(waiting);
    });
  }

  /** Takes the head out of the queue. */
  shift(): Waiting<T> | undefined {
    return this.items.shift();
  }

  /** Takes every caller out of the queue. */
  drain(): Waiting<T>[] {
    return this.items.splice(0);
  }
}
