import { describe, expect, it } from 'vitest';
import { providerError } from '@/lib/domain';
import { type PartFailure, retryParts } from '@/lib/http/batch';
import { failure } from '../../support/provider-error';

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, random: () => 1 };

describe('retryParts', () => {
  it('sends the failed parts again, alone, after the longest Retry-After among them', async () => {
    const rounds: number[][] = [];
    const delays: number[] = [];
    await retryParts(
      4,
      async (pending) => {
        rounds.push(pending);
        if (rounds.length > 1) return [];
        return [1, 3].map((index): PartFailure => ({ index, error: providerError('rate_limited', 'gmail', { retryAfterMs: index * 10 }) }));
      },
      'gmail',
      { ...fast, onRetry: (_, __, ms) => delays.push(ms) },
    );
    expect(rounds).toEqual([[0, 1, 2, 3], [1, 3]]);
    expect(delays).toEqual([30]);
  });

  it('a part round that would wait an hour fails at once with that wait, for the engine to keep (§2.3)', async () => {
    let rounds = 0;
    const started = performance.now();
    const error = await failure(
      retryParts(
        3,
        async () => {
          rounds++;
          return [{ index: 2, error: providerError('rate_limited', 'outlook', { retryAfterMs: 3_600_000 }) }];
        },
        'outlook',
        fast,
      ),
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(rounds).toBe(1);
    expect(error.data).toMatchObject({ code: 'rate_limited', source: 'outlook', retryable: true, retryAfterMs: 3_600_000 });
  });
});
