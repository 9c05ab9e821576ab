import type { Message, Provider, SenderIdentity, Visibility } from '../domain';

/** Who the mailbox is, as the provider says (R7): the address and what it sends as. */
export interface MailboxIdentity extends SenderIdentity {
  address: string;
}

/** One page of a backfill window, newest first (R10). */
export interface WindowPage {
  messages: Message[];
  /** Opaque cursor for the next page; null when the window is done. */
  nextCursor: string | null;
  /** The provider's estimate of messages in the whole window, when it gives one. */
  estimate: number | null;
}

/** One page of changes since an incremental cursor (R9). */
export interface ChangesPage {
  messages: Message[];
  /** Provider ids that left the mailbox or the synced folders. */
  removed: string[];
  /** The cursor to store with this page; pass it to the next call. */
  cursor: string;
  /** True when more changes are waiting right now. */
  more: boolean;
}

/**
 * The one interface the sync engine uses for Gmail, Outlook and (later) IMAP. Every call takes an
 * `AbortSignal`, and every failure is a `ProviderError`. Messages come back normalised, with a
 * body or snippet only as far as `visibility` allows (R22).
 */
export interface MailProvider {
  readonly provider: Provider;
  identity(signal?: AbortSignal): Promise<MailboxIdentity>;
  /** A page of messages received or sent in `[since, now)`; `cursor` null for the first page. */
  listWindow(input: { since: number; cursor: string | null; visibility: Visibility; signal?: AbortSignal }): Promise<WindowPage>;
  /** The cursor that stands for "now": incremental sync starts from it after a backfill. */
  currentCursor(signal?: AbortSignal): Promise<string>;
  /** Changes after `cursor`. Throws `cursor_expired` when the provider forgot it (R14). */
  changes(input: { cursor: string; visibility: Visibility; signal?: AbortSignal }): Promise<ChangesPage>;
  /** Messages by provider id, fetched in the provider's batches. */
  getMessages(input: { ids: string[]; visibility: Visibility; signal?: AbortSignal }): Promise<Message[]>;
  /** Sends a plain-text test email (R31) and returns its provider id when the provider tells it. */
  sendTestEmail(input: { to: string; subject: string; body: string; signal?: AbortSignal }): Promise<{ providerId: string | null }>;
  /** Revokes the provider grant (R34). */
  revoke(): Promise<void>;
}
