import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { limiterStateStore } from '@/lib/platform';
import { gmailLimiter } from '@/lib/providers/gmail/quota';

beforeEach(() => fakeBrowser.reset());

describe('limiterStateStore (session storage)', () => {
  it('keeps each mailbox’s limiter state in session storage, apart from the others', async () => {
    const riley = limiterStateStore('gmail:riley@acme-sales.test');
    const state = { grants: [{ at: 1, cost: 5 }], lease: { until: 2, units: 250 } };
    await riley.save(state);
    expect(await riley.load()).toEqual(state);
    expect(await limiterStateStore('gmail:sam@acme-sales.test').load()).toBeNull();
    expect(await fakeBrowser.storage.session.get('limiter.gmail:riley@acme-sales.test')).toEqual({ 'limiter.gmail:riley@acme-sales.test': state });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });

  it('a Gmail limiter made after a worker restart goes on from what the previous one saved there', async () => {
    vi.useFakeTimers({ now: 50_000 });
    try {
      const before = gmailLimiter({ state: limiterStateStore('gmail:riley@acme-sales.test') });
      // Nothing stored yet: the first window counts as full.
      const first = before.take(250);
      await vi.advanceTimersByTimeAsync(1050);
      await first;
      const saved = (await limiterStateStore('gmail:riley@acme-sales.test').load()) as { lease: { until: number; units: number } };
      expect(saved.lease).toEqual({ until: 61_050, units: 250 });
      await vi.advanceTimersByTimeAsync(500);
      const after = gmailLimiter({ state: limiterStateStore('gmail:riley@acme-sales.test') });
      let granted = false;
      void after.take(1).then(() => (granted = true));
      await vi.advanceTimersByTimeAsync(1049);
      expect(granted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
