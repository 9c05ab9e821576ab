import { z } from 'zod';
import { providerError } from '../../domain';
import { batchGet } from './batch';
import { type GraphApi, IMMUTABLE_IDS } from './graph-api';
import { deltaPageSchema, messagePageSchema } from './graph-json';
import { graphTime } from './message';
import { decodeCursor, encodeCursor } from './opaque-cursor';

/**
 * Where one folder's delta stands: the Graph link to follow next (the `@odata.deltaLink` of its
 * last finished round, or the `@odata.nextLink` of a round still being paged; R13: every page is
 * a resumable position), null before its first round. `paging` is true while a round is paged.
 */
const folderDeltaSchema = z.object({ link: z.string().min(1).nullable(), paging: z.boolean() });
type FolderDeltaState = z.infer<typeof folderDeltaSchema>;

/**
 * The incremental cursor: per synced folder, by the product's folder name (`productFolderName`:
 * `inbox`, `sentitems`, `archive`, or a user folder's id), where its delta stands. A folder's
 * first round asks only for messages received since `since` (`$filter=receivedDateTime ge`,
 * which Graph keeps in the links it hands out), so it is a page or two however large the folder.
 *
 * A sync round pages every folder to its delta link. While some folder is still paging, only the
 * paging folders are asked; once none is, the next call starts a new round: it lists the folders
 * again, adds those made meanwhile (from `since`, like every first round) and drops those gone.
 */
const deltaCursorSchema = z.object({
  v: z.literal(3),
  since: z.number().int(),
  folders: z.record(z.string().min(1), folderDeltaSchema),
});
export type DeltaCursor = z.infer<typeof deltaCursorSchema>;

/**
 * The cursor of the previous version, which followed Inbox and Sent Items only. It is upgraded,
 * not expired: its two positions are kept (a next link is followed like a delta link, the round
 * it belongs to simply goes on) and no round is in progress, so the first call lists every folder
 * and starts the others from the same `since`. That also brings the mail filed in them since
 * then, which v2 could not see. Expiring it instead would make the engine re-sync the whole
 * window (R14) when nothing was lost.
 */
const deltaCursorV2Schema = z.object({
  v: z.literal(2),
  since: z.number().int(),
  links: z.object({ inbox: z.string().min(1).nullable(), sentitems: z.string().min(1).nullable() }),
});

const anyDeltaCursorSchema = z.union([
  deltaCursorSchema,
  deltaCursorV2Schema.transform(
    (old): DeltaCursor => ({
      v: 3,
      since: old.since,
      folders: { inbox: { link: old.links.inbox, paging: false }, sentitems: { link: old.links.sentitems, paging: false } },
    }),
  ),
]);

/**
 * How far before "now" a new cursor's filter reaches. Graph stamps `receivedDateTime`, the
 * filter is set from this device's clock: the margin covers a clock that runs ahead, so mail
 * arriving while a backfill runs is not filtered out. What it reports again the engine already has.
 */
export const DELTA_MARGIN_MS = 15 * 60_000;

/** The opaque cursor string. */
export const encodeDeltaCursor = (cursor: Omit<DeltaCursor, 'v'>) => encodeCursor({ v: 3, ...cursor } satisfies DeltaCursor);
/** The cursor's folder positions (a v2 cursor upgraded); an unreadable one is `cursor_expired`. */
export const decodeDeltaCursor = (cursor: string): DeltaCursor => decodeCursor(cursor, anyDeltaCursorSchema);

/** The cursor for "now": no folder yet, so the first `changes` starts a round and lists them. */
export function cursorFromNow(now = Date.now()): string {
  return encodeDeltaCursor({ since: now - DELTA_MARGIN_MS, folders: {} });
}

/** True while a round is being paged: some folder has a next link to follow. */
export const roundInProgress = (cursor: DeltaCursor) => Object.values(cursor.folders).some((f) => f.paging);

/** Ids per page when only ids are listed: Graph's `$top` goes up to 1000. */
const ID_PAGE = 1000;

export interface DeltaOptions {
  /** `odata.maxpagesize` for one page of changes (each id is then read back). */
  changesPageSize: number;
}

/** One page of a folder's delta: ids that are new or changed, ids that left, and where to go next. */
export interface FolderDelta {
  /** The product's folder name. */
  folder: string;
  changed: string[];
  /**
   * Ids that left the folder. Graph gives `"reason": "deleted"` both for a message deleted and for
   * one moved to another folder ("message: delta"), so the reason says nothing: the caller reads
   * the message back to learn which.
   */
  removed: string[];
  next: FolderDeltaState;
}

/**
 * One page of delta for each of `folders` (names with their state), in `$batch` requests: the
 * requests of a round weigh one each against the mailbox's 4 concurrent and 10,000 per 10 minutes,
 * however many folders there are. A folder Graph no longer has (404 `ErrorItemNotFound`: deleted
 * since the last round) is left out of the answer, so the caller drops it. A 410 or
 * `syncStateNotFound` is `cursor_expired` (R14).
 */
export async function folderDeltas(
  api: GraphApi,
  folders: [name: string, state: FolderDeltaState][],
  since: number,
  options: DeltaOptions,
  signal?: AbortSignal,
): Promise<FolderDelta[]> {
  // Only ids: `$select` and `$filter` travel inside the links Graph hands out, so every later round
  // is ids only too, and the messages are read back in full by id (see message.ts for why).
  const filter = encodeURIComponent(`receivedDateTime ge ${graphTime(since)}`);
  const urls = folders.map(([name, state]) =>
    state.link === null ? `/me/mailFolders/${encodeURIComponent(name)}/messages/delta?$select=id&$filter=${filter}` : api.relativeLink(state.link),
  );
  const bodies = await batchGet(api, urls, { Prefer: `${IMMUTABLE_IDS}, odata.maxpagesize=${options.changesPageSize}` }, signal);
  const pages: FolderDelta[] = [];
  for (const [index, body] of bodies) {
    const parsed = deltaPageSchema.safeParse(body);
    if (!parsed.success) throw providerError('bad_response', 'outlook', { detail: 'A page of changes in a batch answer had an unexpected shape.' });
    const page = parsed.data;
    const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    if (!next) throw providerError('bad_response', 'outlook', { detail: 'A delta page had neither a next nor a delta link.' });
    // A link to another host is refused now, before it is stored in a cursor.
    api.relativeLink(next);
    pages.push({
      folder: folders[index]![0],
      changed: page.value.filter((item) => !item['@removed']).map((item) => item.id),
      removed: page.value.filter((item) => item['@removed']).map((item) => item.id),
      next: { link: next, paging: page['@odata.nextLink'] !== undefined },
    });
  }
  return pages;
}

/**
 * The ids of the messages received since `since` in each of `folderIds` (Graph ids), listed in
 * `$batch` requests and followed through their next links. For folders that left the synced set
 * without their mail moving: Outlook's "delete folder" moves the folder into Deleted Items, and no
 * message delta reports that. A folder gone meanwhile (404) lists nothing.
 */
export async function messageIdsSince(api: GraphApi, folderIds: string[], since: number, signal?: AbortSignal): Promise<string[]> {
  const filter = encodeURIComponent(`receivedDateTime ge ${graphTime(since)}`);
  const urls = folderIds.map((id) => `/me/mailFolders/${encodeURIComponent(id)}/messages?$select=id&$filter=${filter}&$top=${ID_PAGE}`);
  const bodies = await batchGet(api, urls, { Prefer: IMMUTABLE_IDS }, signal);
  const ids: string[] = [];
  for (const body of bodies.values()) {
    let page = messagePageSchema.safeParse(body).data;
    if (!page) throw providerError('bad_response', 'outlook', { detail: 'A message list in a batch answer had an unexpected shape.' });
    ids.push(...page.value.map((m) => m.id));
    while (page['@odata.nextLink'] !== undefined) {
      page = await api.json(api.link(page['@odata.nextLink']), messagePageSchema, { signal });
      ids.push(...page.value.map((m) => m.id));
    }
  }
  return ids;
}
