import { afterEach, describe, expect, it, vi } from 'vitest';
import { BEST_EFFORT_KEPT, BEST_EFFORT_PREFIX, bestEffort, bestEffortFailures } from '@/lib/async';
import { providerError } from '@/lib/domain';

afterEach(() => vi.restoreAllMocks());

describe('bestEffort', () => {
  it('waits for a step that works and records nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = bestEffortFailures().length;
    let done = false;
    await bestEffort('a step', Promise.resolve().then(() => (done = true)));
    expect(done).toBe(true);
    expect(bestEffortFailures()).toHaveLength(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it("records a failed step by name, with a typed error's code and plain message, and does not throw", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(bestEffort('revoke the replaced CRM grant', Promise.reject(providerError('network', 'crm')))).resolves.toBeUndefined();
    const expected = 'ProviderError network: Could not reach The CRM. Check the internet connection.';
    expect(bestEffortFailures().at(-1)).toMatchObject({ what: 'revoke the replaced CRM grant', error: expected });
    expect(warn).toHaveBeenCalledWith(BEST_EFFORT_PREFIX, `revoke the replaced CRM grant failed: ${expected}`);
  });

  it('never records the message of an untyped error, which may quote a token or a body', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await bestEffort('revoke', Promise.reject(new TypeError('fetch failed for https://idp.test/revoke?token=ya29.secret')));
    await bestEffort('parse', Promise.reject('raw body text'));
    expect(bestEffortFailures().slice(-2).map((f) => f.error)).toEqual(['TypeError', 'string']);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret');
    expect(JSON.stringify(warn.mock.calls)).not.toContain('raw body');
  });

  it(`keeps the last ${BEST_EFFORT_KEPT} failures only`, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (let i = 0; i < BEST_EFFORT_KEPT + 5; i++) await bestEffort(`step ${i}`, Promise.reject(new Error('x')));
    const kept = bestEffortFailures();
    expect(kept).toHaveLength(BEST_EFFORT_KEPT);
    expect(kept.at(-1)!.what).toBe(`step ${BEST_EFFORT_KEPT + 4}`);
    expect(kept[0]!.what).toBe('step 5');
  });
});
