import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from '@/lib/async';

describe('debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once, waitMs after the last trigger of a burst', () => {
    const run = vi.fn();
    const debounced = debounce(run, 1000, 5000);
    debounced.trigger();
    vi.advanceTimersByTime(600);
    debounced.trigger();
    vi.advanceTimersByTime(999);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs by maxWaitMs after the first trigger however long the burst goes on', () => {
    const run = vi.fn();
    const debounced = debounce(run, 1000, 3000);
    for (let t = 0; t < 2900; t += 500) {
      debounced.trigger();
      vi.advanceTimersByTime(500);
    }
    debounced.trigger();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    // The next burst starts its own clock.
    debounced.trigger();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('cancel drops the pending call', () => {
    const run = vi.fn();
    const debounced = debounce(run, 1000, 3000);
    debounced.trigger();
    debounced.cancel();
    vi.advanceTimersByTime(5000);
    expect(run).not.toHaveBeenCalled();
  });
});
