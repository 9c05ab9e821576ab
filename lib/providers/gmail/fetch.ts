import { providerError, type Visibility } from '../../domain';
import { WANTED_HEADERS } from '../normalise';
import { batchGet, type BatchGet } from './batch';
import { type GmailApi, type Query, queryString, userPath } from './gmail-api';
import { type GmailMessage, type MessageRef, messageSchema, threadSchema } from './gmail-json';
import { GMAIL_COSTS } from './quota';

/**
 * Reads a thread with threads.get (10 units, every message of it) rather than its messages one by
 * one with messages.get (5 units each) once this many of its messages are wanted.
 *
 * Measured on the seeded mailbox riley@acme-sales.test against the emulator's request log
 * (tests/integration/providers/gmail.test.ts, "threads.get against messages.get"): a 30-day
 * window of 24 messages in 9 threads (5 of 1 message, one each of 2, 3, 4 and 10) cost 125 units
 * with messages.get only and 70 with threads.get from 3 messages on (44 % less). At 2 messages
 * both cost 10 units, and messages.get carries no messages we then drop.
 */
export const THREADS_FROM = 3;

/** `format` and `metadataHeaders` for a visibility: headers only unless the body may be read (R22). */
export function formatQuery(visibility: Visibility): Query {
  return visibility === 'full' ? { format: 'full' } : { format: 'metadata', metadataHeaders: WANTED_HEADERS };
}

/** Which threads to read whole and which messages to read alone. */
export function planFetch(refs: readonly MessageRef[], threadsFrom: number): { threads: string[]; messages: string[] } {
  const perThread = new Map<string, number>();
  for (const ref of refs) perThread.set(ref.threadId, (perThread.get(ref.threadId) ?? 0) + 1);
  const threads = [...perThread].filter(([, count]) => count >= threadsFrom).map(([id]) => id);
  const whole = new Set(threads);
  return { threads, messages: refs.filter((ref) => !whole.has(ref.threadId)).map((ref) => ref.id) };
}

/** What a fetch found: the messages in the order asked, and the ids Gmail no longer has. */
export interface Fetched {
  messages: GmailMessage[];
  missing: string[];
}

function parseMessage(body: unknown): GmailMessage {
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) throw providerError('bad_response', 'gmail', { detail: 'A message in a batch answer had an unexpected shape.' });
  return parsed.data;
}

/**
 * Reads messages in batches: each thread with at least `threadsFrom` of the wanted messages by
 * threads.get, keeping only the wanted ones (a thread also holds messages outside the window or
 * on another page), the rest by messages.get. Pass `Infinity` to read message by message (ids
 * without thread ids can only be read that way).
 */
export async function fetchMessages(
  api: GmailApi,
  refs: readonly MessageRef[],
  options: { visibility: Visibility; threadsFrom: number; signal?: AbortSignal },
): Promise<Fetched> {
  const plan = planFetch(refs, options.threadsFrom);
  const query = queryString(formatQuery(options.visibility));
  const calls: BatchGet[] = [
    ...plan.messages.map((id) => ({ path: userPath(`messages/${encodeURIComponent(id)}${query}`), cost: GMAIL_COSTS.messagesGet })),
    ...plan.threads.map((id) => ({ path: userPath(`threads/${encodeURIComponent(id)}${query}`), cost: GMAIL_COSTS.threadsGet })),
  ];
  const bodies = await batchGet(api, calls, options.signal);

  const found = new Map<string, GmailMessage>();
  for (const [index, body] of bodies) {
    if (index < plan.messages.length) {
      const message = parseMessage(body);
      found.set(message.id, message);
      continue;
    }
    const thread = threadSchema.safeParse(body);
    if (!thread.success) throw providerError('bad_response', 'gmail', { detail: 'A thread in a batch answer had an unexpected shape.' });
    for (const message of thread.data.messages) found.set(message.id, message);
  }
  const messages: GmailMessage[] = [];
  const missing: string[] = [];
  for (const { id } of refs) {
    const message = found.get(id);
    if (message) messages.push(message);
    else missing.push(id);
  }
  return { messages, missing };
}
