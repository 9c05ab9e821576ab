import { ProviderError } from '../../domain';
import { DEFAULT_RETRY } from '../../sync/retry';
import { classifyGraphError } from './errors';
import { type GraphApi, retryOwnFailures, settle } from './graph-api';
import { batchAnswerSchema } from './graph-json';

/** Graph's JSON batching limit: at most 20 requests in one `$batch`. */
export const BATCH_LIMIT = 20;

/**
 * GETs `urls` (relative to the version root) through `$batch`, 20 at a time, the batches in
 * parallel as far as the mailbox's limiter lets them. Per part: a 2xx body is kept under its
 * index; a 404 is left out (the item is gone); a retryable failure (a 429 with `Retry-After`
 * inside the batch, a 5xx) is sent again in a new batch after the longest wait any part asked
 * for, within the retry attempts; any other failure is thrown as classified.
 */
export async function batchGet(api: GraphApi, urls: string[], headers: Record<string, string>, signal?: AbortSignal): Promise<Map<number, unknown>> {
  const bodies = new Map<number, unknown>();
  let pending = urls.map((_, index) => index);
  const round = async () => {
    const failures: { index: number; error: ProviderError }[] = [];
    const chunks: number[][] = [];
    for (let at = 0; at < pending.length; at += BATCH_LIMIT) chunks.push(pending.slice(at, at + BATCH_LIMIT));
    await Promise.all(
      chunks.map(async (chunk) => {
        const requests = chunk.map((index) => ({ id: String(index), method: 'GET', url: urls[index]!, headers }));
        const answer = await api.json((c) => c.api('/$batch'), batchAnswerSchema, signal, { requests });
        const byId = new Map(answer.responses.map((part) => [part.id, part]));
        for (const index of chunk) {
          const part = byId.get(String(index));
          if (!part) failures.push({ index, error: classifyGraphError(502, undefined, new Headers()) });
          else if (part.status >= 200 && part.status < 300) bodies.set(index, part.body);
          else if (part.status !== 404) failures.push({ index, error: classifyGraphError(part.status, part.body, new Headers(part.headers)) });
        }
      }),
    );
    return failures;
  };

  // The `$batch` requests themselves were retried by `send`; here only failed parts are.
  await retryOwnFailures(
    async () => {
      const failures = await settle(round());
      const fatal = failures.find((f) => !f.error.retryable);
      if (fatal) throw fatal.error;
      pending = failures.map((f) => f.index);
      // The part that asked for the longest wait speaks for the round.
      const worst = failures.reduce<ProviderError | null>((a, f) => (a && (a.data.retryAfterMs ?? 0) >= (f.error.data.retryAfterMs ?? 0) ? a : f.error), null);
      if (worst) throw worst;
    },
    { ...DEFAULT_RETRY, ...api.retry, signal },
  );
  return bodies;
}
