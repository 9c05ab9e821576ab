import { ProviderError, providerError } from '../../domain';
import { type GmailApi, userPath } from './gmail-api';
import { type GmailHistory, historyListSchema, type MessageRef } from './gmail-json';
import type { FolderScope } from '../mail-provider';
import { GMAIL_COSTS } from './quota';

/**
 * The changes we follow: new messages, deletions, and label changes. A message carrying one of
 * `EXCLUDED` is never pushed (R21a `excluded_folder`). A change of any label that decides how a
 * message is classified (those, INBOX, an inbox tab) is a change of the message: it is read again
 * and reported as it is now, in `messages` (archived mail, or a move from Promotions to Primary)
 * or in `removed` (moved to spam or trash).
 */
const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'] as const;
const EXCLUDED = new Set(['SPAM', 'TRASH', 'DRAFT', 'CHAT']);
const decides = (label: string) => EXCLUDED.has(label) || label === 'INBOX' || label.startsWith('CATEGORY_');

/** `history.list` allows at most 500 records a page. */
export const MAX_HISTORY_PAGE = 500;

/**
 * Pages without records that still carry a `nextPageToken`, followed at most this many in a row
 * in one call (2 quota units each). Such a page gives no record id to move the cursor to, so a
 * server that keeps answering them would hold the walk forever. After this many the call fails
 * with a retryable `server` error; the stored cursor stays where it was, so nothing is skipped
 * and the next sync asks again.
 */
export const MAX_EMPTY_HISTORY_PAGES = 10;

/**
 * The incremental cursor is a Gmail history id, as a decimal string: `getProfile().historyId` for
 * "now", the response's `historyId` after the last page of changes, and — while pages remain —
 * the id of the last record returned. History ids grow with every change and `history.list`
 * returns the records after `startHistoryId`, so starting again from the last record read
 * continues exactly behind it. Unlike a `pageToken`, that position stays valid for as long as
 * Gmail keeps the history, across worker restarts (R13).
 */
export function readCursor(cursor: string): string {
  if (!/^\d{1,20}$/.test(cursor)) throw providerError('cursor_expired', 'gmail', { detail: 'The stored sync position could not be read.' });
  return cursor;
}

/** What a run of history pages changed. */
export interface HistoryChanges {
  /** Messages to read: added, or with a label changed that decides how they are classified. */
  added: MessageRef[];
  /**
   * Messages deleted, or moved to spam or trash (`ChangesPage.removed`): a push of them not yet
   * done stops; nothing is deleted from the CRM because mail left the mailbox.
   */
  removed: string[];
  cursor: string;
  more: boolean;
}

/**
 * Folds records, oldest first, into the last word on each message. A label change counts when it
 * touches a label that decides classification, or one of the chosen labels (`only`); the
 * message's labels after it are its listed labels with the change applied (so either reading of
 * the listed labels, at the record or now, gives the same answer).
 *
 * With `only`, a message is present when it carries a chosen label too. One that never was in
 * scope in these records (it arrived without a chosen label, or a change left it out of scope as
 * it was before) is neither added nor removed: the engine never had it.
 */
export function foldHistory(records: readonly GmailHistory[], only: FolderScope = null): { added: MessageRef[]; removed: string[] } {
  const state = new Map<string, { ref: MessageRef; present: boolean }>();
  const excluded = (labels: Iterable<string>) => [...labels].some((label) => EXCLUDED.has(label));
  const chosen = (labels: Iterable<string>) => only === null || [...labels].some((label) => only.includes(label));
  const inScope = (labels: Iterable<string>) => !excluded(labels) && chosen(labels);
  const counts = (label: string) => decides(label) || (only !== null && only.includes(label));
  /** Records the message's state after a record, unless it stays out of a restricted scope unseen. */
  const set = (ref: MessageRef, before: Iterable<string> | null, after: Iterable<string>) => {
    const present = inScope(after);
    const unseen = only !== null && !present && !state.has(ref.id) && (before === null || !inScope(before)) && !excluded(after);
    if (!unseen) state.set(ref.id, { ref, present });
  };
  for (const record of records) {
    for (const { message } of record.messagesAdded) set(message, null, message.labelIds ?? []);
    for (const change of record.labelsAdded) {
      if (!change.labelIds.some(counts)) continue;
      const listed = change.message.labelIds ?? [];
      set(change.message, listed.filter((label) => !change.labelIds.includes(label)), new Set([...listed, ...change.labelIds]));
    }
    for (const change of record.labelsRemoved) {
      if (!change.labelIds.some(counts)) continue;
      const listed = change.message.labelIds ?? [];
      set(change.message, new Set([...listed, ...change.labelIds]), listed.filter((label) => !change.labelIds.includes(label)));
    }
    for (const { message } of record.messagesDeleted) state.set(message.id, { ref: message, present: false });
  }
  const all = [...state.values()];
  return {
    added: all.filter((s) => s.present).map((s) => ({ id: s.ref.id, threadId: s.ref.threadId })),
    removed: all.filter((s) => !s.present).map((s) => s.ref.id),
  };
}

/**
 * One page of history after `cursor` (R9). A start id Gmail no longer keeps answers 404, which is
 * `cursor_expired`: the engine falls back to a bounded re-sync (R14). A page without records
 * that still has a next page is followed at once, so every answer moves the cursor, up to
 * `MAX_EMPTY_HISTORY_PAGES` such pages in a row.
 */
export async function historyPage(api: GmailApi, cursor: string, pageSize: number, only: FolderScope, signal?: AbortSignal): Promise<HistoryChanges> {
  const start = readCursor(cursor);
  let pageToken: string | undefined;
  for (let empty = 0; ; empty++) {
    if (empty === MAX_EMPTY_HISTORY_PAGES) {
      throw providerError('server', 'gmail', { detail: `It answered ${empty} empty pages of changes in a row; the sync will ask again.` });
    }
    const query = { startHistoryId: start, historyTypes: HISTORY_TYPES, maxResults: Math.min(pageSize, MAX_HISTORY_PAGE), pageToken };
    const page = await api.get(userPath('history'), GMAIL_COSTS.historyList, historyListSchema, query, signal).catch((error: unknown) => {
      if (error instanceof ProviderError && error.code === 'not_found') throw providerError('cursor_expired', 'gmail');
      throw error;
    });
    const last = page.history.at(-1);
    if (page.nextPageToken && !last) {
      pageToken = page.nextPageToken;
      continue;
    }
    const { added, removed } = foldHistory(page.history, only);
    const more = page.nextPageToken !== undefined;
    return { added, removed, cursor: more ? last!.id : page.historyId, more };
  }
}
