import type { AccessTokenSource } from '../../auth/access-token';
import { type Message, providerError, type Visibility } from '../../domain';
import type { LimiterStateStore } from '../../http/limiter-state';
import { parseSingleMailbox } from '../../matching/address';
import { ConcurrencyLimiter } from '../../http/rate-limit';
import type { RetryOptions } from '../../http/retry';
import type { ChangesPage, MailProvider } from '../mail-provider';
import { sharedOnce } from '../../async';
import { batchGet } from './batch';
import { changedPages, cursorFromNow, type DeltaOptions, decodeDeltaCursor, encodeDeltaCursor, linkOf } from './delta';
import { isExcludedFolder, readFolderNames } from './folders';
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
 * The Outlook `MailProvider` over Microsoft Graph v1.0 (R2, R7, R9, R10, R14, R22, R31).
 * Backfill lists Inbox and Sent Items by received time; incremental sync follows per-folder delta
 * links and reads changed messages back by id in `$batch` requests.
 */
export function createOutlookProvider(options: OutlookProviderOptions): MailProvider {
  const api = new GraphApi({ graphApiUrl: options.graphApiUrl, tokens: options.tokens, limiter: options.limiter ?? outlookLimiter(options.limiterState), retry: options.retry });
  const delta: DeltaOptions = { changesPageSize: options.pages?.changesPageSize ?? 50 };
  const windowSize = options.pages?.window ?? 50;

  // Read once and kept: who "own" is (direction) and which folder a parent folder id names.
  const identity = sharedOnce(() => readIdentity(api));
  const folderNames = sharedOnce(() => readFolderNames(api));

  const context = async (visibility: Visibility, signal?: AbortSignal) => ({ mailboxId: options.mailboxId, identity: await identity.get(signal), visibility });

  /** Messages by id through `$batch`; ids Graph no longer has are returned as `missing`. */
  async function readMessages(ids: string[], visibility: Visibility, signal?: AbortSignal): Promise<{ messages: Message[]; missing: string[] }> {
    if (ids.length === 0) return { messages: [], missing: [] };
    const select = messageFields(visibility).join(',');
    const urls = ids.map((id) => `/me/messages/${encodeURIComponent(id)}?$select=${select}`);
    const [bodies, names, base] = await Promise.all([
      batchGet(api, urls, { Prefer: messagePrefer(visibility) }, signal),
      folderNames.get(signal),
      context(visibility, signal),
    ]);
    const messages: Message[] = [];
    const missing: string[] = [];
    ids.forEach((id, index) => {
      if (!bodies.has(index)) return missing.push(id);
      const parsed = graphMessageSchema.safeParse(bodies.get(index));
      if (!parsed.success) throw providerError('bad_response', 'outlook', { detail: 'A message in a batch answer had an unexpected shape.' });
      messages.push(normaliseGraphMessage(parsed.data, { ...base, folder: names.get(parsed.data.parentFolderId ?? '') ?? null }));
    });
    return { messages, missing };
  }

  return {
    provider: 'outlook',

    identity(signal) {
      // Always read afresh (the user is confirming it, R7), and keep it for direction.
      return identity.refresh(signal);
    },

    async listWindow(input) {
      const [page, base] = await Promise.all([windowPage(api, input, { pageSize: windowSize }), context(input.visibility, input.signal)]);
      const messages = page.items.map(({ folder, message }) => normaliseGraphMessage(message, { ...base, folder }));
      return toWindowPage(messages, page.cursor, page.estimate);
    },

    async currentCursor(signal) {
      // No delta request: each folder's first round starts, filtered to recent mail, on the first
      // `changes`. Reading the folder ids `changes` needs checks now that the mailbox can be read.
      await folderNames.get(signal);
      return cursorFromNow();
    },

    async changes(input): Promise<ChangesPage> {
      const cursor = decodeDeltaCursor(input.cursor);
      const pages = await changedPages(api, cursor, delta, input.signal);
      // Every id is read back by its immutable id, those that left a folder too: Graph reports a
      // move and a deletion alike, and only the message's folder now tells them apart (see the
      // meaning of a change in mail-provider.ts). Gone (404) or in an excluded folder is removed;
      // anywhere else, including the other synced folder, it is the same message in a new folder.
      const ids = [...new Set(pages.flatMap((p) => [...p.changed, ...p.removed]))];
      const { messages, missing } = await readMessages(ids, input.visibility, input.signal);
      const excluded = messages.filter((m) => isExcludedFolder(m.folder));
      return {
        // Mail received before the cursor's start that only moved between allowed folders (an
        // Inbox clean-up into an archive) is outside what incremental sync covers: not reported.
        messages: messages.filter((m) => !isExcludedFolder(m.folder) && m.date >= cursor.since),
        removed: [...missing, ...excluded.map((m) => m.providerId)],
        cursor: encodeDeltaCursor({ since: cursor.since, links: { inbox: linkOf(pages, 'inbox'), sentitems: linkOf(pages, 'sentitems') } }),
        more: pages.some((p) => p.more),
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
