import { z } from 'zod';
import type { Message, Visibility } from '../../domain';
import type { WindowPage } from '../mail-provider';
import type { GraphApi } from './graph-api';
import { type GraphMessage, messagePageSchema } from './graph-json';
import { graphTime, messageFields, messagePrefer, SYNCED_FOLDERS, type SyncedFolder } from './message';
import { decodeCursor, encodeCursor } from './opaque-cursor';

/**
 * Where one folder's listing stands: the messages received before `until` (whole seconds, as Graph
 * compares them), less the first `skip` of them, which earlier pages already returned (they share
 * the second `until - 1000`). A keyset rather than Graph's `$skip` nextLinks: a message deleted
 * or arriving during the backfill cannot shift the pages.
 */
const folderPosition = z.object({ until: z.number().int(), skip: z.number().int().nonnegative(), done: z.boolean() });
type FolderPosition = z.infer<typeof folderPosition>;

const windowCursorSchema = z.object({
  v: z.literal(1),
  since: z.number().int(),
  estimate: z.number().int().nonnegative().nullable(),
  folders: z.object({ inbox: folderPosition, sentitems: folderPosition }),
});
type WindowCursor = z.infer<typeof windowCursorSchema>;

/** A message's received second; a missing date sorts as oldest rather than stalling the paging. */
function receivedKey(message: GraphMessage): number {
  const time = Date.parse(message.receivedDateTime ?? '');
  return Number.isNaN(time) ? 0 : Math.floor(time / 1000) * 1000;
}

export interface WindowOptions {
  /** `$top` per folder and page; a page holds up to twice this. */
  pageSize: number;
}

/** A listed message and the folder it was listed from. */
export interface FolderMessage {
  folder: SyncedFolder;
  message: GraphMessage;
}

/**
 * One page of the backfill window over Inbox and Sent Items, newest first across both (R10).
 * Each folder is listed newest first from its position; the page keeps what is not older than the
 * oldest message of any folder that may have more (the watermark), so the next page can never hold
 * a newer message than this one. The rest is listed again next time.
 *
 * The estimate is Graph's `@odata.count` for the window (`$count=true` on the first page, kept in
 * the cursor); null when Graph does not give it for both folders.
 */
export async function windowPage(
  api: GraphApi,
  input: { since: number; cursor: string | null; visibility: Visibility; signal?: AbortSignal },
  options: WindowOptions,
): Promise<{ items: FolderMessage[]; cursor: WindowCursor | null; estimate: number | null }> {
  const first = input.cursor === null;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const state: WindowCursor = first
    ? { v: 1, since: input.since, estimate: null, folders: { inbox: { until: now, skip: 0, done: false }, sentitems: { until: now, skip: 0, done: false } } }
    : decodeCursor(input.cursor!, windowCursorSchema);

  const listed = await Promise.all(
    SYNCED_FOLDERS.map(async (folder) => {
      const position = state.folders[folder];
      if (position.done) return { folder, value: [] as GraphMessage[], count: undefined };
      const page = await api.json(
        (c) => {
          const request = c
            .api(`/me/mailFolders/${folder}/messages`)
            .select(messageFields(input.visibility))
            .filter(`receivedDateTime ge ${graphTime(state.since)} and receivedDateTime lt ${graphTime(position.until)}`)
            .orderby('receivedDateTime desc')
            .top(options.pageSize)
            .header('Prefer', messagePrefer(input.visibility));
          if (position.skip > 0) request.skip(position.skip);
          // ConsistencyLevel is what directory objects need for $count; mail ignores it.
          return first ? request.count(true).header('ConsistencyLevel', 'eventual') : request;
        },
        messagePageSchema,
        { signal: input.signal },
      );
      return { folder, value: page.value, count: page['@odata.count'] };
    }),
  );

  // The oldest message of any folder that filled its page: nothing older is safe to return yet.
  const full = listed.filter((l) => l.value.length === options.pageSize);
  const watermark = full.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...full.map((l) => receivedKey(l.value.at(-1)!)));
  const items: (FolderMessage & { key: number })[] = [];
  const next: WindowCursor = { ...state, folders: { ...state.folders } };
  for (const { folder, value } of listed) {
    const position = state.folders[folder];
    if (position.done) continue;
    const taken = value.filter((m) => receivedKey(m) >= watermark);
    for (const message of taken) items.push({ folder, message, key: receivedKey(message) });
    next.folders[folder] = advance(position, taken.map(receivedKey), value.length < options.pageSize && taken.length === value.length);
  }
  if (first) {
    const counts = listed.map((l) => l.count);
    next.estimate = counts.every((c) => c !== undefined) ? counts.reduce((a, b) => a! + b!, 0)! : null;
  }
  items.sort((a, b) => b.key - a.key);
  const done = next.folders.inbox.done && next.folders.sentitems.done;
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
