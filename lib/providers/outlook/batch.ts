import { DEFAULT_RETRY } from '../../http/retry';
import { type PartFailure, retryParts, recordingTokens, settle } from '../../http/batch';
import { classifyGraphError } from './errors';
import type { GraphApi } from './graph-api';
import { batchAnswerSchema } from './graph-json';

/** Graph's JSON batching limit: at most 20 requests in one `$batch`. */
export const BATCH_LIMIT = 20;

/**
 * GETs `urls` (relative to the version root) through `$batch`, the batches in parallel as far as
 * the mailbox's limiter lets them.
 *
 * A batch holds at most as many parts as the mailbox may have requests in flight (4), and weighs
 * as many requests as it has parts. Graph runs a batch's parts in parallel and counts each against
 * the mailbox's 4 concurrent requests and 10,000 per 10 minutes ("Microsoft Graph throttling
 * guidance", Outlook service limits; a part over the limit gets its own 429 "Application is over
 * its MailboxConcurrency limit" inside the 200 batch answer, as reported on Microsoft Q&A 968767
 * and 1660054). The current guidance says Graph hands the Outlook service at most four parts of
 * a batch at a time; batches of four hold under both behaviours. Chaining parts with `dependsOn`
 * would also keep them sequential, but one failed part (a 404 for a message gone) would fail
 * every part after it with 424.
 *
 * Per part: a 2xx body is kept under its
 * index; a 404 is left out (the item is gone); other failures are retried or thrown as
 * `retryParts` describes (a part's 429 carries its own `Retry-After`; a part's 401 drops the
 * token its `$batch` was sent with).
 */
export async function batchGet(api: GraphApi, urls: string[], headers: Record<string, string>, signal?: AbortSignal): Promise<Map<number, unknown>> {
  const bodies = new Map<number, unknown>();

  const runBatch = async (indexes: number[]): Promise<PartFailure[]> => {
    const requests = indexes.map((index) => ({ id: String(index), method: 'GET', url: urls[index]!, headers }));
    const tokens = recordingTokens(api.peer.tokens);
    const answer = await settle(api.json((c) => c.api('/$batch'), batchAnswerSchema, { signal, body: { requests }, tokens, weight: requests.length }));
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
      const size = Math.min(BATCH_LIMIT, api.concurrency);
      const chunks: number[][] = [];
      for (let at = 0; at < pending.length; at += size) chunks.push(pending.slice(at, at + size));
      return (await Promise.all(chunks.map(runBatch))).flat();
    },
    'outlook',
    { ...DEFAULT_RETRY, ...api.retry, signal },
  );
  return bodies;
}
