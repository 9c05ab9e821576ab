import { providerError } from '../../domain';
import { send } from '../../http/request';
import { DEFAULT_RETRY } from '../../http/retry';
import { type PartFailure, retryParts, recordingTokens, settle } from '../../http/batch';
import { classifyGmailError } from './errors';
import type { GmailApi } from './gmail-api';
import { type BatchCall, batchRequest, newBoundary, parseBatchResponse } from './multipart';

/** Gmail allows 100 calls in a batch and discourages more than 50 ("Batching requests"). */
export const MAX_BATCH_CALLS = 50;

const BATCH_PATH = '/batch/gmail/v1';

/** One GET to run inside a batch, with what it costs in quota units. */
export interface BatchGet {
  path: string;
  cost: number;
}

/**
 * Groups calls into batches of at most 50 whose cost fits the limit in one take, so a batch
 * never waits for more units than one window can hold.
 */
export function planBatches<T extends { cost: number }>(calls: readonly T[], capacity: number, maxCalls = MAX_BATCH_CALLS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let units = 0;
  for (const call of calls) {
    if (current.length > 0 && (current.length === maxCalls || units + call.cost > capacity)) {
      batches.push(current);
      current = [];
      units = 0;
    }
    current.push(call);
    units += call.cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Runs GETs through Gmail's batch endpoint and returns the 2xx bodies by the index of their call;
 * a call answered 404 (the message was deleted meanwhile) is left out. The batches go out
 * together; the mailbox's limiter spaces them, each taking the sum of its calls' costs before it
 * is sent. Failed parts are retried as `retryParts` describes.
 */
export async function batchGet(api: GmailApi, calls: readonly BatchGet[], signal?: AbortSignal): Promise<Map<number, unknown>> {
  const bodies = new Map<number, unknown>();

  const runBatch = async (indexes: number[]): Promise<PartFailure[]> => {
    const wire: BatchCall[] = indexes.map((index) => ({ id: `item-${index}`, method: 'GET', path: calls[index]!.path }));
    const { body, contentType } = batchRequest(wire, newBoundary());
    const tokens = recordingTokens(api.peer.tokens);
    const cost = indexes.reduce((sum, index) => sum + calls[index]!.cost, 0);
    const request = api.request(BATCH_PATH, cost, { method: 'POST', headers: { 'content-type': contentType }, body, signal });
    const response = await settle(send({ ...api.peer, tokens }, request));
    const answers = parseBatchResponse(await response.text(), response.headers.get('content-type'), wire);
    const failures: PartFailure[] = [];
    for (const index of indexes) {
      const answer = answers.get(`item-${index}`);
      if (!answer) failures.push({ index, error: providerError('server', 'gmail', { detail: 'A batch answer left out a call.' }) });
      else if (answer.status >= 200 && answer.status < 300) bodies.set(index, answer.body);
      else if (answer.status !== 404) failures.push({ index, error: classifyGmailError(answer.status, answer.body, answer.headers) });
    }
    if (failures.some((f) => f.error.code === 'auth_expired')) await tokens.invalidateUsed();
    return failures;
  };

  await retryParts(
    calls.length,
    async (pending) => {
      // A third of the quota window per batch: a page's last, partial batch then holds a third of
      // a window, not all of it, so the next page's first batches follow at once. Measured by
      // tests/bench/gmail-backfill.ts: 0.855 of the quota bound with full-window batches, 0.909 so,
      // no 429 either way (batches of a sixth drew 429s from the moving average).
      const batches = planBatches(pending.map((index) => ({ index, cost: calls[index]!.cost })), Math.max(api.limiter.limit / 3, 10));
      return (await Promise.all(batches.map((batch) => runBatch(batch.map((call) => call.index))))).flat();
    },
    'gmail',
    { ...DEFAULT_RETRY, ...api.retry, signal },
  );
  return bodies;
}
