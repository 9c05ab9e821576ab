import { z } from 'zod';
import { type Message, providerError, type Visibility } from '../../domain';
import type { WindowPage } from '../mail-provider';
import { batchGet } from './batch';
import type { GraphApi } from './graph-api';
import { type GraphMessage, messagePageSchema } from './graph-json';
import { graphTime, messageFields, messagePrefer } from './message';
import { decodeCursor, encodeCursor } from './opaque-cursor';

/**
 * Where one folder's listing stands: the messages received before `until` (whole seconds, as Graph
 * compares them), less the first `skip` of them, which earlier pages already returned (they share
 * the second `until - 1000`). A keyset rather than Graph's `$skip` nextLinks: a message deleted
 * or arriving during the backfill cannot shift the pages.
 */
const folderPosition = z.object({ until: z.number().int(), skip: z.number().int().nonnegative(), done: z.boolean() });
type FolderPosition = z.infer<typeof folderPosition>;

/**
 * Where a backfill stands in each folder it lists, by the product's folder name. The folders are
 * those allowed (and chosen) when the window started: a folder made during the backfill is left
 * to incremental sync. (Version 1 listed Inbox and Sent Items only; such a cursor is
 * `cursor_expired`: no released engine ever stored one.)
 */
const windowCursorSchema = z.object({
  v: z.literal(2),
  since: z.number().int(),
  estimate: z.number().int().nonnegative().nullable(),
  folders: z.record(z.string().min(1), folderPosition),
});
type WindowCursor = z.infer<typeof windowCursorSchema>;

/** A message's received second; a missing date sorts as oldest rather than stalling the paging. */
function receivedKey(message: GraphMessage): number {
  const time = Date.parse(message.receivedDateTime ?? '');
  return Number.isNaN(time) ? 0 : Math.floor(time / 1000) * 1000;
}

export interface WindowOptions {
  /** `$top` per folder and page; a page holds up to this many times the number of folders. */
  pageSize: number;
}

/** A listed message and the folder it was listed from (the product's folder name). */
export interface FolderMessage {
  folder: string;
  message: GraphMessage;
}

/**
 * One page of the backfill window over `folders` (product folder names; read on the first page
 * only, then kept in the cursor), newest first across all of them (R10). Each folder is listed
 * newest first from its position, the lists in `$batch` requests; the page keeps what is not
 * older than the oldest message of any folder that may have more (the watermark), so the next
 * page can never hold a newer message than this one. The rest is listed again next time. A folder
 * deleted during the backfill (404) is done.
 *
 * The estimate is Graph's `@odata.count` for the window (`$count=true` on the first page, kept in
 * the cursor); null when Graph does not give it for every folder.
 */
export async function windowPage(
  api: GraphApi,
  input: { since: number; cursor: string | null; visibility: Visibility; signal?: AbortSignal },
  folders: () => Promise<string[]>,
  options: WindowOptions,
): Promise<{ items: FolderMessage[]; cursor: WindowCursor | null; estimate: number | null }> {
  const first = input.cursor === null;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const state: WindowCursor = first
    ? { v: 2, since: input.since, estimate: null, folders: Object.fromEntries((await folders()).map((name) => [name, { until: now, skip: 0, done: false }])) }
    : decodeCursor(input.cursor!, windowCursorSchema);

  const open = Object.entries(state.folders).filter(([, position]) => !position.done);
  const select = messageFields(input.visibility).join(',');
  const urls = open.map(([name, position]) => {
    const filter = encodeURIComponent(`receivedDateTime ge ${graphTime(state.since)} and receivedDateTime lt ${graphTime(position.until)}`);
    const skip = position.skip > 0 ? `&$skip=${position.skip}` : '';
    return `/me/mailFolders/${encodeURIComponent(name)}/messages?$select=${select}&$filter=${filter}&$orderby=${encodeURIComponent('receivedDateTime desc')}&$top=${options.pageSize}${skip}${first ? '&$count=true' : ''}`;
  });
  // ConsistencyLevel is what directory objects need for $count; mail ignores it.
  const headers = { Prefer: messagePrefer(input.visibility), ...(first ? { ConsistencyLevel: 'eventual' } : {}) };
  const bodies = await batchGet(api, urls, headers, input.signal);
  const listed = open.map(([folder], index) => {
    if (!bodies.has(index)) return { folder, gone: true, value: [] as GraphMessage[], count: undefined };
    const parsed = messagePageSchema.safeParse(bodies.get(index));
    if (!parsed.success) throw providerError('bad_response', 'outlook', { detail: 'A message list in a batch answer had an unexpected shape.' });
    return { folder, gone: false, value: parsed.data.value, count: parsed.data['@odata.count'] };
  });

  // The oldest message of any folder that filled its page: nothing older is safe to return yet.
  const full = listed.filter((l) => l.value.length === options.pageSize);
  const watermark = full.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...full.map((l) => receivedKey(l.value.at(-1)!)));
  const items: (FolderMessage & { key: number })[] = [];
  const next: WindowCursor = { ...state, folders: { ...state.folders } };
  for (const { folder, gone, value } of listed) {
    const position = state.folders[folder]!;
    const taken = value.filter((m) => receivedKey(m) >= watermark);
    for (const message of taken) items.push({ folder, message, key: receivedKey(message) });
    next.folders[folder] = advance(position, taken.map(receivedKey), gone || (value.length < options.pageSize && taken.length === value.length));
  }
  if (first) {
    const counts = listed.map((l) => l.count);
    next.estimate = counts.every((c) => c !== undefined) ? counts.reduce<number>((a, b) => a + b!, 0) : null;
  }
  items.sort((a, b) => b.key - a.key);
  const done = Object.values(next.folders).every((position) => position.done);
  return { items, cursor: done ? null : next, estimate: next.estimate };
}

/** The position after returning messages with these received times (newest first). */
function advance(position: FolderPosition, keys: number[], done: boolean): FolderPosition {
  const oldest = keys.at(-1);
  if (done || oldest === undefined) return { ...position, done };
  const until = oldest + 1000;
  const atOldest = keys.filter((k) => k === oldest).length;
  return { until, skip: (until === position.until ? position.skip : 0) + atOldest, done: false };
}

/** The page as the engine sees it. */
export function toWindowPage(messages: Message[], cursor: WindowCursor | null, estimate: number | null): WindowPage {
  return { messages, nextCursor: cursor ? encodeCursor(cursor) : null, estimate };
}
