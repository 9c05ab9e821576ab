import { afterEach, describe, expect, it, vi } from 'vitest';
import { providerError } from '@/lib/domain';
import { MAX_IN_MEMORY_WAIT_MS, withRetry } from '@/lib/http/retry';
import { failure } from '../../support/provider-error';

const fast = { attempts: 4, baseDelayMs: 10, maxDelayMs: 25, random: () => 1 };

function failing(errors: Error[], value = 'ok') {
  const calls: number[] = [];
  return {
    calls,
    run: async (attempt: number) => {
      calls.push(performance.now());
      const error = errors[attempt - 1];
      if (error) throw error;
      return value;
    },
  };
}

describe('withRetry (R12)', () => {
  it('retries transient errors with exponential backoff capped at maxDelayMs, then succeeds', async () => {
    const delays: number[] = [];
    const op = failing([providerError('server', 'gmail'), providerError('network', 'gmail'), providerError('rate_limited', 'gmail')]);
    expect(await withRetry(op.run, { ...fast, onRetry: (_, __, ms) => delays.push(ms) })).toBe('ok');
    expect(delays).toEqual([10, 20, 25]);
  });

  it("waits the peer's Retry-After instead of its own backoff", async () => {
    const delays: number[] = [];
    const op = failing([providerError('rate_limited', 'outlook', { retryAfterMs: 40 })]);
    await withRetry(op.run, { ...fast, onRetry: (_, __, ms) => delays.push(ms) });
    expect(delays).toEqual([40]);
    expect(op.calls[1]! - op.calls[0]!).toBeGreaterThanOrEqual(38);
  });

  it('uses full jitter: the wait is a random share of the backoff', async () => {
    const delays: number[] = [];
    const op = failing([providerError('server', 'crm'), providerError('server', 'crm')]);
    await withRetry(op.run, { ...fast, random: () => 0.5, onRetry: (_, __, ms) => delays.push(ms) });
    expect(delays).toEqual([5, 10]);
  });

  it('throws auth and permission errors at once, without retrying', async () => {
    for (const code of ['reauth_required', 'insufficient_permissions', 'cursor_expired'] as const) {
      const op = failing([providerError(code, 'gmail')]);
      await expect(withRetry(op.run, fast)).rejects.toMatchObject({ code });
      expect(op.calls).toHaveLength(1);
    }
  });

  it('gives up after the last attempt and throws its error', async () => {
    const errors = Array.from({ length: 4 }, () => providerError('server', 'gmail'));
    const op = failing(errors);
    await expect(withRetry(op.run, fast)).rejects.toBe(errors[3]);
    expect(op.calls).toHaveLength(4);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const op = failing([providerError('rate_limited', 'gmail', { retryAfterMs: 10_000 })]);
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 20);
    await expect(withRetry(op.run, { ...fast, signal: controller.signal })).rejects.toThrow('cancelled by the user');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(op.calls).toHaveLength(1);
  });

  describe('waits longer than an MV3 worker lives (§2.3)', () => {
    afterEach(() => vi.useRealTimers());

    it('a Retry-After of an hour is not slept: the error comes out at once, retryable, with the wait as retryAfterMs', async () => {
      const delays: number[] = [];
      const refused = providerError('rate_limited', 'gmail', { retryAfterMs: 3_600_000 });
      const op = failing([refused]);
      const started = performance.now();
      const error = await failure(withRetry(op.run, { ...fast, onRetry: (_, __, ms) => delays.push(ms) }));
      expect(performance.now() - started).toBeLessThan(100);
      expect(error.data).toMatchObject({ code: 'rate_limited', source: 'gmail', retryable: true, retryAfterMs: 3_600_000, at: refused.data.at });
      expect(op.calls).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('waits exactly the bound in memory, and defers one millisecond more', async () => {
      vi.useFakeTimers();
      const atBound = failing([providerError('server', 'crm', { retryAfterMs: MAX_IN_MEMORY_WAIT_MS })]);
      const done = withRetry(atBound.run, fast);
      await vi.advanceTimersByTimeAsync(MAX_IN_MEMORY_WAIT_MS);
      expect(await done).toBe('ok');
      const over = failing([providerError('server', 'crm', { retryAfterMs: MAX_IN_MEMORY_WAIT_MS + 1 })]);
      expect((await failure(withRetry(over.run, fast))).data).toMatchObject({ code: 'server', retryAfterMs: MAX_IN_MEMORY_WAIT_MS + 1 });
      expect(over.calls).toHaveLength(1);
    });

    it('a backoff of its own longer than the bound is deferred the same way, keeping the code', async () => {
      const op = failing([providerError('network', 'outlook')]);
      const error = await failure(withRetry(op.run, { attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 }));
      expect(error.data).toMatchObject({ code: 'network', retryable: true, retryAfterMs: 60_000 });
    });
  });
});
