import { DEFAULT_RETRY } from '../../http/retry';
import { type PartFailure, retryParts, recordingTokens, settle } from '../../http/batch';
import { classifyGraphError } from './errors';
import type { GraphApi } from './graph-api';
import { batchAnswerSchema } from './graph-json';

/** Graph's JSON batching limit: at most 20 requests in one `$batch`. */
export const BATCH_LIMIT = 20;

/**
 * GETs `urls` (relative to the version root) through `$batch`, 20 at a time, the batches in
 * parallel as far as the mailbox's limiter lets them. Per part: a 2xx body is kept under its
 * index; a 404 is left out (the item is gone); other failures are retried or thrown as
 * `retryParts` describes (a part's 429 carries its own `Retry-After`; a part's 401 drops the
 * token its `$batch` was sent with).
 */
export async function batchGet(api: GraphApi, urls: string[], headers: Record<string, string>, signal?: AbortSignal): Promise<Map<number, unknown>> {
  const bodies = new Map<number, unknown>();

  const runBatch = async (indexes: number[]): Promise<PartFailure[]> => {
    const requests = indexes.map((index) => ({ id: String(index), method: 'GET', url: urls[index]!, headers }));
    const tokens = recordingTokens(api.peer.tokens);
    const answer = await settle(api.json((c) => c.api('/$batch'), batchAnswerSchema, { signal, body: { requests }, tokens }));
    const byId = new Map(answer.responses.map((part) => [part.id, part]));
    const failures: PartFailure[] = [];
    for (const index of indexes) {
      const part = byId.get(String(index));
      if (!part) failures.push({ index, error: classifyGraphError(502, undefined, new Headers()) });
      else if (part.status >= 200 && part.status < 300) bodies.set(index, part.body);
      else if (part.status !== 404) failures.push({ index, error: classifyGraphError(part.status, part.body, new Headers(part.headers)) });
    }
    if (failures.some((f) => f.error.code === 'auth_expired')) await tokens.invalidateUsed();
    return failures;
  };

  await retryParts(
    urls.length,
    async (pending) => {
      const chunks: number[][] = [];
      for (let at = 0; at < pending.length; at += BATCH_LIMIT) chunks.push(pending.slice(at, at + BATCH_LIMIT));
      return (await Promise.all(chunks.map(runBatch))).flat();
    },
    'outlook',
    { ...DEFAULT_RETRY, ...api.retry, signal },
  );
  return bodies;
}
