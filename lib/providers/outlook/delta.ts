import { z } from 'zod';
import { providerError } from '../../domain';
import { type BuildRequest, type GraphApi, IMMUTABLE_IDS } from './graph-api';
import { deltaPageSchema } from './graph-json';
import { SYNCED_FOLDERS, type SyncedFolder } from './message';
import { decodeCursor, encodeCursor } from './opaque-cursor';

/**
 * The incremental cursor: per synced folder, the Graph link to follow next — the `@odata.deltaLink`
 * of the last finished round, or the `@odata.nextLink` of a round still being paged (R13: every
 * page is a resumable position).
 */
const deltaCursorSchema = z.object({ v: z.literal(1), links: z.object({ inbox: z.string().min(1), sentitems: z.string().min(1) }) });
export type DeltaCursor = z.infer<typeof deltaCursorSchema>;

/** The opaque cursor string for a pair of folder links. */
export const encodeDeltaCursor = (links: DeltaCursor['links']) => encodeCursor({ v: 1, links } satisfies DeltaCursor);
/** The folder links of a cursor; an unreadable one is `cursor_expired`. */
export const decodeDeltaCursor = (cursor: string) => decodeCursor(cursor, deltaCursorSchema);

export interface DeltaOptions {
  /** `odata.maxpagesize` when walking to "now" (ids only, so pages can be large). */
  walkPageSize: number;
  /** `odata.maxpagesize` for one page of changes (each changed id is then read back). */
  changesPageSize: number;
}

/** One page of a folder's delta: ids that are new or changed, ids that left, and where to go next. */
export interface FolderDelta {
  folder: SyncedFolder;
  changed: string[];
  removed: string[];
  link: string;
  more: boolean;
}

async function deltaPage(api: GraphApi, folder: SyncedFolder, link: string | null, pageSize: number, signal?: AbortSignal): Promise<FolderDelta> {
  const prefer = `${IMMUTABLE_IDS}, odata.maxpagesize=${pageSize}`;
  // Only ids: `$select` travels inside the links Graph hands out, so every later round is ids only
  // too, and the messages are read back in full by id (see message.ts for why).
  const build: BuildRequest = link === null ? (c) => c.api(`/me/mailFolders/${folder}/messages/delta`).select('id') : api.link(link);
  const page = await api.json((c) => build(c).header('Prefer', prefer), deltaPageSchema, { signal });
  const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
  if (!next) throw providerError('bad_response', 'outlook', { detail: 'A delta page had neither a next nor a delta link.' });
  return {
    folder,
    changed: page.value.filter((item) => !item['@removed']).map((item) => item.id),
    removed: page.value.filter((item) => item['@removed']).map((item) => item.id),
    link: next,
    more: page['@odata.nextLink'] !== undefined,
  };
}

/**
 * The cursor for "now": each folder's first delta round walked to its delta link, keeping nothing.
 * (Graph's `$deltatoken=latest` would skip the walk; the emulator does not know it, and the walk
 * with ids only costs one request per `walkPageSize` messages.)
 */
export async function walkToNow(api: GraphApi, options: DeltaOptions, signal?: AbortSignal): Promise<string> {
  const links = await Promise.all(
    SYNCED_FOLDERS.map(async (folder) => {
      let page = await deltaPage(api, folder, null, options.walkPageSize, signal);
      while (page.more) page = await deltaPage(api, folder, page.link, options.walkPageSize, signal);
      return page.link;
    }),
  );
  return encodeDeltaCursor({ inbox: links[0]!, sentitems: links[1]! });
}

/** One page of changes per folder from a cursor; a 410 or `syncStateNotFound` is `cursor_expired` (R14). */
export async function changedPages(api: GraphApi, cursor: DeltaCursor, options: DeltaOptions, signal?: AbortSignal): Promise<FolderDelta[]> {
  return Promise.all(SYNCED_FOLDERS.map((folder) => deltaPage(api, folder, cursor.links[folder], options.changesPageSize, signal)));
}
