const WINDOW_MS = 10 * 60_000;

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterSec: number; message: 'concurrency' | 'rate' };

/**
 * Graph's Outlook limits per mailbox: a number of requests in flight at once, and a number per
 * rolling ten minutes. A refused request takes no slot and does not count.
 */
export class GraphThrottle {
  private inFlight = new Map<string, number>();
  /** Admission times per mailbox, oldest first. */
  private windows = new Map<string, number[]>();

  admit(user: string, limits: { concurrency: number; per10Min: number }): Admission {
    const now = Date.now();
    const running = this.inFlight.get(user) ?? 0;
    if (running >= limits.concurrency) return { ok: false, retryAfterSec: 1, message: 'concurrency' };

    let window = this.windows.get(user);
    if (!window) this.windows.set(user, (window = []));
    const expired = window.findIndex((at) => at > now - WINDOW_MS);
    window.splice(0, expired === -1 ? window.length : expired);
    if (window.length >= limits.per10Min) {
      const oldest = window[window.length - limits.per10Min]!;
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)), message: 'rate' };
    }

    window.push(now);
    this.inFlight.set(user, running + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(user, (this.inFlight.get(user) ?? 1) - 1);
      },
    };
  }

  /** Forgets the rolling windows (reset); requests in flight release their own slots. */
  clearWindows(): void {
    this.windows.clear();
  }
}
