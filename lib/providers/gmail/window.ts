import type { Message, Visibility } from '../../domain';
import type { FolderScope, WindowPage } from '../mail-provider';
import { fetchMessages } from './fetch';
import { type GmailApi, userPath } from './gmail-api';
import { messageListSchema } from './gmail-json';
import { carriesChosen, listLabelChoices, scopeQuery } from './labels';
import { type NormaliseContext, normaliseGmailMessage } from './message';
import { GMAIL_COSTS } from './quota';

/** `messages.list` allows at most 500 ids a page. */
export const MAX_LIST_PAGE = 500;

export interface WindowInput {
  since: number;
  cursor: string | null;
  visibility: Visibility;
  only?: FolderScope;
  signal?: AbortSignal;
}

/**
 * One page of a backfill window (R10): `messages.list` with `q=after:<epoch seconds>` (spam and
 * trash left out, as `includeSpamTrash=false` does), newest first, then the page's messages read
 * in batches. The cursor is Gmail's `pageToken`, opaque to us as to the engine; the estimate is
 * Gmail's `resultSizeEstimate` for the whole query.
 *
 * `after:` takes whole seconds, so the query starts at the second `since` falls in and the
 * messages of that second before `since` are dropped here.
 *
 * With `only`, the query adds an OR group of the chosen labels (`scopeQuery`; the label names are
 * read on every page, one quota unit, since a page token is only good for the same query), and a
 * message read back without a chosen label is dropped.
 */
export async function windowPage(
  api: GmailApi,
  input: WindowInput,
  options: { pageSize: number; threadsFrom: number; context: () => Promise<NormaliseContext> },
): Promise<WindowPage> {
  const only = input.only ?? null;
  const scope = only === null ? '' : scopeQuery(only, await listLabelChoices(api, input.signal));
  if (scope === null) return { messages: [], nextCursor: null, estimate: 0 };
  const query = {
    q: `after:${Math.floor(input.since / 1000)}${scope ? ` ${scope}` : ''}`,
    includeSpamTrash: false,
    maxResults: Math.min(options.pageSize, MAX_LIST_PAGE),
    pageToken: input.cursor ?? undefined,
  };
  const list = await api.get(userPath('messages'), GMAIL_COSTS.messagesList, messageListSchema, query, input.signal);
  const [fetched, context] = await Promise.all([
    fetchMessages(api, list.messages, { visibility: input.visibility, threadsFrom: options.threadsFrom, signal: input.signal }),
    options.context(),
  ]);
  const messages: Message[] = fetched.messages
    .map((message) => normaliseGmailMessage(message, context))
    .filter((message) => message.date >= input.since && carriesChosen(message, only))
    .sort((a, b) => b.date - a.date);
  return { messages, nextCursor: list.nextPageToken ?? null, estimate: list.resultSizeEstimate ?? null };
}
