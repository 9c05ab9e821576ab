import { z } from 'zod';
import { providerError } from '../../domain';
import { type BuildRequest, type GraphApi, IMMUTABLE_IDS } from './graph-api';
import { deltaPageSchema } from './graph-json';
import { graphTime, SYNCED_FOLDERS, type SyncedFolder } from './message';
import { decodeCursor, encodeCursor } from './opaque-cursor';

/**
 * The incremental cursor. Per synced folder, the Graph link to follow next: the `@odata.deltaLink`
 * of the last finished round, or the `@odata.nextLink` of a round still being paged (R13: every
 * page is a resumable position); null while the folder's first round has not started. That round
 * asks only for messages received since `since` (`$filter=receivedDateTime ge`, which Graph keeps
 * in the links it hands out), so it is a page or two however large the folder is.
 */
const deltaCursorSchema = z.object({
  v: z.literal(2),
  since: z.number().int(),
  links: z.object({ inbox: z.string().min(1).nullable(), sentitems: z.string().min(1).nullable() }),
});
export type DeltaCursor = z.infer<typeof deltaCursorSchema>;

/**
 * How far before "now" a new cursor's filter reaches. Graph stamps `receivedDateTime`, the
 * filter is set from this device's clock: the margin covers a clock that runs ahead, so mail
 * arriving while a backfill runs is not filtered out. What it reports again the engine already has.
 */
export const DELTA_MARGIN_MS = 15 * 60_000;

/** The opaque cursor string. */
export const encodeDeltaCursor = (cursor: Omit<DeltaCursor, 'v'>) => encodeCursor({ v: 2, ...cursor } satisfies DeltaCursor);
/** The cursor's folder links; an unreadable one is `cursor_expired`. */
export const decodeDeltaCursor = (cursor: string) => decodeCursor(cursor, deltaCursorSchema);

/** The cursor for "now": each folder's first round starts on the first `changes`. */
export function cursorFromNow(now = Date.now()): string {
  return encodeDeltaCursor({ since: now - DELTA_MARGIN_MS, links: { inbox: null, sentitems: null } });
}

export interface DeltaOptions {
  /** `odata.maxpagesize` for one page of changes (each id is then read back). */
  changesPageSize: number;
}

/** One page of a folder's delta: ids that are new or changed, ids that left, and where to go next. */
export interface FolderDelta {
  folder: SyncedFolder;
  changed: string[];
  /**
   * Ids that left the folder. Graph gives `"reason": "deleted"` both for a message deleted and for
   * one moved to another folder ("message: delta"), so the reason says nothing: the caller reads
   * the message back to learn which.
   */
  removed: string[];
  link: string;
  more: boolean;
}

async function deltaPage(api: GraphApi, folder: SyncedFolder, cursor: DeltaCursor, pageSize: number, signal?: AbortSignal): Promise<FolderDelta> {
  const prefer = `${IMMUTABLE_IDS}, odata.maxpagesize=${pageSize}`;
  const link = cursor.links[folder];
  // Only ids: `$select` and `$filter` travel inside the links Graph hands out, so every later round
  // is ids only too, and the messages are read back in full by id (see message.ts for why).
  const build: BuildRequest =
    link === null
      ? (c) => c.api(`/me/mailFolders/${folder}/messages/delta`).select('id').filter(`receivedDateTime ge ${graphTime(cursor.since)}`)
      : api.link(link);
  const page = await api.json((c) => build(c).header('Prefer', prefer), deltaPageSchema, { signal });
  const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
  if (!next) throw providerError('bad_response', 'outlook', { detail: 'A delta page had neither a next nor a delta link.' });
  // A link to another host is refused now, before it is stored in a cursor.
  api.link(next);
  return {
    folder,
    changed: page.value.filter((item) => !item['@removed']).map((item) => item.id),
    removed: page.value.filter((item) => item['@removed']).map((item) => item.id),
    link: next,
    more: page['@odata.nextLink'] !== undefined,
  };
}

/** One page of changes per folder from a cursor; a 410 or `syncStateNotFound` is `cursor_expired` (R14). */
export async function changedPages(api: GraphApi, cursor: DeltaCursor, options: DeltaOptions, signal?: AbortSignal): Promise<FolderDelta[]> {
  return Promise.all(SYNCED_FOLDERS.map((folder) => deltaPage(api, folder, cursor, options.changesPageSize, signal)));
}

/** The link a folder's page says to follow next. */
export function linkOf(pages: FolderDelta[], folder: SyncedFolder): string {
  return pages.find((page) => page.folder === folder)!.link;
}
