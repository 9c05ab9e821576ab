import type { AccessTokenSource } from '../../auth/access-token';
import { type Message, providerError, type Visibility } from '../../domain';
import type { LimiterStateStore } from '../../http/limiter-state';
import { parseSingleMailbox } from '../../matching/address';
import { ConcurrencyLimiter } from '../../http/rate-limit';
import type { RetryOptions } from '../../http/retry';
import type { ChangesPage, MailProvider } from '../mail-provider';
import { sharedOnce } from '../../async';
import { batchGet } from './batch';
import { cursorFromNow, type DeltaOptions, decodeDeltaCursor, encodeDeltaCursor, folderDeltas, messageIdsSince, roundInProgress } from './delta';
import { isExcludedFolder } from './folder-names';
import { type FolderTree, readFolderTree, readWellKnownFolders } from './folders';
import { GraphApi } from './graph-api';
import { graphMessageSchema } from './graph-json';
import { readIdentity } from './identity';
import { messageFields, messagePrefer, normaliseGraphMessage } from './message';
import { toWindowPage, windowPage } from './window';

export interface OutlookProviderOptions {
  /** The extension's id of the mailbox, stamped on every message. */
  mailboxId: string;
  tokens: AccessTokenSource;
  /** Graph's origin, e.g. `https://graph.microsoft.com` (the version is added here). */
  graphApiUrl: string;
  /** Revokes the grant (R34); Microsoft has no revocation endpoint for this client type. */
  revoke: () => Promise<void>;
  /** Shared by every call for this mailbox; default: Graph's 4 concurrent and 10,000 per 10 minutes. */
  limiter?: ConcurrencyLimiter;
  /** Where the default limiter keeps Graph's request budget across worker restarts (session storage). */
  limiterState?: LimiterStateStore;
  retry?: Partial<RetryOptions>;
  /** Page sizes; the defaults suit Graph's limits. */
  pages?: Partial<DeltaOptions & { window: number }>;
}

/** Graph's Outlook limits per app and mailbox. */
const outlookLimiter = (state?: LimiterStateStore) => new ConcurrencyLimiter(4, { requests: 10_000, windowMs: 10 * 60_000, source: 'outlook', state });

/**
 * The Outlook `MailProvider` over Microsoft Graph v1.0 (R2, R7, R9, R10, R14, R21, R22, R31).
 * It covers every folder except the excluded ones (`isExcludedFolder`): Inbox, Sent Items,
 * Archive and the user's own folders at every level, or only the chosen ones (`only`). Backfill
 * lists those folders by received time; incremental sync follows a delta link per folder; both
 * send their per-folder requests in `$batch` requests, and changed messages are read back by id
 * in `$batch` requests too.
 */
export function createOutlookProvider(options: OutlookProviderOptions): MailProvider {
  const api = new GraphApi({ graphApiUrl: options.graphApiUrl, tokens: options.tokens, limiter: options.limiter ?? outlookLimiter(options.limiterState), retry: options.retry });
  const delta: DeltaOptions = { changesPageSize: options.pages?.changesPageSize ?? 50 };
  const windowSize = options.pages?.window ?? 50;

  // Read once and kept: who "own" is (direction) and the ids of the well-known folders. The
  // folder tree is kept too, and read afresh where folders may have changed (a sync round, a
  // backfill, the folder list, a message in a folder not seen yet).
  const identity = sharedOnce(() => readIdentity(api));
  const wellKnown = sharedOnce(() => readWellKnownFolders(api));
  const tree = sharedOnce(async () => readFolderTree(api, await wellKnown.get()));

  const context = async (visibility: Visibility, signal?: AbortSignal) => ({ mailboxId: options.mailboxId, identity: await identity.get(signal), visibility });

  /** The folders synced: every one not excluded, or of those only the chosen ones. */
  const synced = (folders: FolderTree, only: readonly string[] | null | undefined) =>
    folders.folders.filter((f) => !f.excluded && (only == null || only.includes(f.name))).map((f) => f.name);

  /** Messages by id through `$batch`; ids Graph no longer has are returned as `missing`. */
  async function readMessages(ids: string[], visibility: Visibility, signal?: AbortSignal): Promise<{ messages: Message[]; missing: string[] }> {
    if (ids.length === 0) return { messages: [], missing: [] };
    const select = messageFields(visibility).join(',');
    const urls = ids.map((id) => `/me/messages/${encodeURIComponent(id)}?$select=${select}`);
    const [bodies, base, known] = await Promise.all([batchGet(api, urls, { Prefer: messagePrefer(visibility) }, signal), context(visibility, signal), wellKnown.get(signal)]);
    const parsed = ids.map((id, index) => {
      if (!bodies.has(index)) return null;
      const message = graphMessageSchema.safeParse(bodies.get(index));
      if (!message.success) throw providerError('bad_response', 'outlook', { detail: 'A message in a batch answer had an unexpected shape.' });
      return message.data;
    });
    let folders = await tree.get(signal);
    // A folder made (or moved) since the tree was read: read it again, once for the whole call.
    if (parsed.some((m) => m && !folders.byGraphId.has(m.parentFolderId ?? '') && !known.has(m.parentFolderId ?? ''))) folders = await tree.refresh(signal);
    const folderOf = (id: string | null | undefined) => (id ? (folders.byGraphId.get(id)?.name ?? known.get(id) ?? id) : null);
    const messages: Message[] = [];
    const missing: string[] = [];
    parsed.forEach((message, index) => {
      if (message === null) missing.push(ids[index]!);
      else messages.push(normaliseGraphMessage(message, { ...base, folder: folderOf(message.parentFolderId) }));
    });
    return { messages, missing };
  }

  return {
    provider: 'outlook',

    identity(signal) {
      // Always read afresh (the user is confirming it, R7), and keep it for direction.
      return identity.refresh(signal);
    },

    async listFolders(signal) {
      const folders = await tree.refresh(signal);
      return folders.folders.filter((f) => !f.excluded).map((f) => ({ id: f.name, name: f.path, kind: f.wellKnown ? 'system' : 'user' }));
    },

    async listWindow(input) {
      const folders = async () => synced(await tree.refresh(input.signal), input.only);
      const [page, base] = await Promise.all([windowPage(api, input, folders, { pageSize: windowSize }), context(input.visibility, input.signal)]);
      const messages = page.items.map(({ folder, message }) => normaliseGraphMessage(message, { ...base, folder }));
      return toWindowPage(messages, page.cursor, page.estimate);
    },

    async currentCursor(signal) {
      // No delta request and no folder walk: the first `changes` starts a round, which lists the
      // folders, each filtered to recent mail. Reading the well-known folder ids checks now that
      // the mailbox can be read.
      await wellKnown.get(signal);
      return cursorFromNow();
    },

    async changes(input): Promise<ChangesPage> {
      const cursor = decodeDeltaCursor(input.cursor);
      const only = input.only ?? null;
      const folders = { ...cursor.folders };
      let binned: string[] = [];
      if (roundInProgress(cursor)) {
        // Mid-round: only the folders still paging, and of those only the ones still chosen.
        for (const name of Object.keys(folders)) if (only !== null && !only.includes(name)) delete folders[name];
      } else {
        // A new round: the folders as they are now. One made since starts from `since`; one
        // deleted, moved into an excluded folder, or no longer chosen is dropped.
        const current = await tree.refresh(input.signal);
        const now = synced(current, only);
        // A user folder deleted in Outlook went into Deleted Items with its mail, and no message
        // moved: its mail since the cursor's start is reported removed here (R21).
        const gone = Object.keys(folders).filter((name) => current.byGraphId.get(name)?.excluded);
        binned = await messageIdsSince(api, gone, cursor.since, input.signal);
        for (const name of Object.keys(folders)) if (!now.includes(name)) delete folders[name];
        for (const name of now) folders[name] ??= { link: null, paging: false };
      }
      const polled = Object.entries(folders).filter(([, state]) => !roundInProgress(cursor) || state.paging);
      const pages = await folderDeltas(api, polled, cursor.since, delta, input.signal);
      const answered = new Set(pages.map((p) => p.folder));
      // A folder whose delta was not found (404) was deleted: it is dropped, its mail gone with it.
      for (const [name] of polled) if (!answered.has(name)) delete folders[name];
      for (const page of pages) folders[page.folder] = page.next;

      // Every id is read back by its immutable id, those that left a folder too: Graph reports a
      // move and a deletion alike, and only the message's folder now tells them apart (see the
      // meaning of a change in mail-provider.ts). Gone (404), in an excluded folder, or outside
      // the chosen folders is removed; anywhere else, including another synced folder, it is the
      // same message in a new folder.
      const ids = [...new Set(pages.flatMap((p) => [...p.changed, ...p.removed]))];
      const { messages, missing } = await readMessages(ids, input.visibility, input.signal);
      const inScope = (m: Message) => !isExcludedFolder(m.folder) && (only === null || only.includes(m.folder ?? ''));
      const next = { since: cursor.since, folders };
      return {
        // Mail received before the cursor's start that only moved between synced folders (an
        // Inbox clean-up into an archive) is outside what incremental sync covers: not reported.
        messages: messages.filter((m) => inScope(m) && m.date >= cursor.since),
        removed: [...new Set([...missing, ...messages.filter((m) => !inScope(m)).map((m) => m.providerId), ...binned])],
        cursor: encodeDeltaCursor(next),
        more: roundInProgress({ v: 3, ...next }),
      };
    },

    async getMessages(input) {
      return (await readMessages(input.ids, input.visibility, input.signal)).messages;
    },

    async sendTestEmail(input) {
      const to = parseSingleMailbox(input.to);
      if (!to) throw providerError('bad_response', 'outlook', { detail: 'The test address must be exactly one valid email address.', final: true });
      const message = {
        subject: input.subject,
        body: { contentType: 'Text', content: input.body },
        toRecipients: [{ emailAddress: { address: to.address, ...(to.name ? { name: to.name } : {}) } }],
      };
      // 202 Accepted with no body: Graph does not say the new message's id.
      await api.text((c) => c.api('/me/sendMail'), { signal: input.signal, body: { message, saveToSentItems: true }, idempotent: false });
      return { providerId: null };
    },

    revoke() {
      return options.revoke();
    },
  };
}
