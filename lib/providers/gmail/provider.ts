import type { AccessTokenSource } from '../../auth/access-token';
import { type Message, providerError, type Visibility } from '../../domain';
import { encodeBase64Url } from '../../encoding/base64';
import type { LimiterStateStore } from '../../http/limiter-state';
import { parseSingleMailbox } from '../../matching/address';
import { isExcludedFolder } from '../../matching/skip-rules';
import type { SlidingWindowLimiter } from '../../http/rate-limit';
import type { RetryOptions } from '../../http/retry';
import type { ChangesPage, MailProvider } from '../mail-provider';
import { sharedOnce } from '../../async';
import { composePlainEmail, newMessageId } from './compose';
import { fetchMessages, THREADS_FROM } from './fetch';
import { GmailApi, userPath } from './gmail-api';
import { sentSchema } from './gmail-json';
import { historyPage, MAX_HISTORY_PAGE } from './history';
import { readIdentity, readProfile } from './identity';
import { carriesChosen, listLabelChoices } from './labels';
import { type NormaliseContext, normaliseGmailMessage } from './message';
import { GMAIL_COSTS, gmailLimiter } from './quota';
import { MAX_LIST_PAGE, windowPage } from './window';

export interface GmailProviderOptions {
  /** The extension's id of the mailbox, stamped on every message. */
  mailboxId: string;
  tokens: AccessTokenSource;
  /** The Gmail API's origin, e.g. `https://gmail.googleapis.com`. */
  gmailApiUrl: string;
  /** Revokes the grant (R34), e.g. through Google's revoke endpoint. */
  revoke: () => Promise<void>;
  /** Quota units shared by every call of this provider; default `gmailLimiter` (250 units/s) over `limiterState`. */
  limiter?: SlidingWindowLimiter;
  /** Where the default limiter keeps its grants across worker restarts (session storage). */
  limiterState?: LimiterStateStore;
  retry?: Partial<RetryOptions>;
  /** Ids per `messages.list` and records per `history.list` page; default (and at most) 500. */
  pageSize?: number;
  /** threads.get for a thread once this many of its messages are wanted; default `THREADS_FROM`. */
  threadsFrom?: number;
}

/**
 * The Gmail `MailProvider` over the Gmail API v1 with plain `fetch` (R1, R7, R9, R10, R12, R14,
 * R22, R31). Backfill pages `messages.list` by date; incremental sync follows `history.list` from
 * a history id; messages are read in batches of at most 50 calls, each batch waiting for its
 * quota units in the mailbox's limiter before it is sent.
 */
export function createGmailProvider(options: GmailProviderOptions): MailProvider {
  const api = new GmailApi(options.gmailApiUrl, options.tokens, options.limiter ?? gmailLimiter({ state: options.limiterState }), options.retry);
  const pageSize = options.pageSize ?? MAX_LIST_PAGE;
  const threadsFrom = options.threadsFrom ?? THREADS_FROM;

  // Read once and kept: who "own" is decides each message's direction.
  const identity = sharedOnce(() => readIdentity(api));
  const context = async (visibility: Visibility, signal?: AbortSignal): Promise<NormaliseContext> => ({
    mailboxId: options.mailboxId,
    identity: await identity.get(signal),
    visibility,
  });

  return {
    provider: 'gmail',

    identity(signal) {
      // Read afresh when asked (the user is confirming it, R7), and kept for direction.
      return identity.refresh(signal);
    },

    listFolders(signal) {
      return listLabelChoices(api, signal);
    },

    listWindow(input) {
      return windowPage(api, input, { pageSize, threadsFrom, context: () => context(input.visibility, input.signal) });
    },

    async currentCursor(signal) {
      return (await readProfile(api, signal)).historyId;
    },

    async changes(input): Promise<ChangesPage> {
      const only = input.only ?? null;
      const page = await historyPage(api, input.cursor, Math.min(pageSize, MAX_HISTORY_PAGE), only, input.signal);
      const [fetched, base] = await Promise.all([
        fetchMessages(api, page.added, { visibility: input.visibility, threadsFrom, signal: input.signal }),
        context(input.visibility, input.signal),
      ]);
      const messages = fetched.messages.map((message) => normaliseGmailMessage(message, base));
      // Read back in an excluded folder (trashed since the record, a draft), or without a chosen
      // label any more: removed, as on Outlook.
      const inScope = (message: Message) => !isExcludedFolder(message.folder) && carriesChosen(message, only);
      const outside = messages.filter((message) => !inScope(message)).map((message) => message.providerId);
      return {
        messages: messages.filter(inScope),
        // Added, then deleted before we read it: gone all the same.
        removed: [...new Set([...page.removed, ...fetched.missing, ...outside])],
        cursor: page.cursor,
        more: page.more,
      };
    },

    async getMessages(input) {
      // Ids alone name no thread: message by message.
      const refs = input.ids.map((id) => ({ id, threadId: id }));
      const [fetched, base] = await Promise.all([
        fetchMessages(api, refs, { visibility: input.visibility, threadsFrom: Number.POSITIVE_INFINITY, signal: input.signal }),
        context(input.visibility, input.signal),
      ]);
      return fetched.messages.map((message) => normaliseGmailMessage(message, base));
    },

    async sendTestEmail(input) {
      const to = parseSingleMailbox(input.to);
      if (!to) throw providerError('bad_response', 'gmail', { detail: 'The test address must be exactly one valid email address.', final: true });
      const own = await identity.get(input.signal);
      const raw = composePlainEmail({
        from: { name: own.displayName || null, address: own.address },
        to,
        subject: input.subject,
        body: input.body,
        date: Date.now(),
        messageId: newMessageId(own.address),
      });
      const sent = await api.post(userPath('messages/send'), GMAIL_COSTS.messagesSend, sentSchema, { raw: encodeBase64Url(raw) }, { signal: input.signal, idempotent: false });
      return { providerId: sent.id };
    },

    revoke() {
      return options.revoke();
    },
  };
}
