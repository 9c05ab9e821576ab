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

/**
 * One page of changes since an incremental cursor (R9).
 *
 * What a change means is the same for every provider (the engine relies on it):
 * - A message is one message for as long as the mailbox has it: its provider id does not change
 *   when it moves (Outlook asks for immutable ids; a Gmail id never changes).
 * - `messages` holds every message that arrived, changed, or moved to a folder (label) the
 *   product may push from, with its folder and labels as they are now. A move between such
 *   folders (Inbox to Sent Items, Inbox to an archive or a user folder, a Gmail message losing
 *   INBOX) is a change of folder, never a removal: the message keeps its provider id, its stored
 *   row takes the new folder, and it is not pushed again.
 * - `removed` holds the provider ids of messages that left what the product may push from: moved
 *   into an excluded folder (junk/spam, deleted items/trash, drafts; R21a `excluded_folder`),
 *   deleted from the mailbox, or, when sync is restricted (`only`), out of the chosen folders or
 *   labels. For these the engine stops a push not yet done.
 * - Outlook covers every folder but the excluded ones, at every level (Graph's delta runs per
 *   folder): a folder made after the cursor is followed from the next round, one deleted for good
 *   is dropped. Outlook's "delete folder" moves the folder, with its mail, into Deleted Items:
 *   no message moves, so no message delta reports it; at the next round the folder is dropped
 *   and its mail received since the cursor's start comes in `removed` (its older mail reads back
 *   as `deleteditems` from then on, like any mail in Deleted Items).
 * - Nothing is ever deleted from, or unlinked in, the CRM because mail moved or was deleted in
 *   the mailbox: what was pushed stays pushed. (Only the user undoes a push, R18, R24.)
 * - A message moved back out of an excluded folder comes in `messages` again, as any change, with
 *   one limit on Outlook: its delta is bounded by `receivedDateTime` from when the cursor was
 *   taken (less a margin), and Graph leaves out of a filtered delta any arrival of older mail, so
 *   an older message restored from Deleted Items or Junk is not reported. Its removal was; a
 *   bounded re-sync of the window (R14) finds it again. Likewise a move of such older mail between
 *   allowed folders is not reported; a move of it into an excluded folder is, in `removed`.
 * - The same id may come in several pages, or in `messages` of one page and `removed` of a later
 *   one (or the other way round): the later page says how the message stands now.
 */
export interface ChangesPage {
  /** Messages that arrived, changed or moved within what may be pushed, as they are now. */
  messages: Message[];
  /** Provider ids moved into an excluded folder or deleted from the mailbox (see above). */
  removed: string[];
  /** The cursor to store with this page; pass it to the next call. */
  cursor: string;
  /** True when more changes are waiting right now. */
  more: boolean;
}

/**
 * A folder (Outlook) or label (Gmail) the user may restrict sync to (`only`). What an excluded
 * folder holds (spam, trash, drafts, chats, junk, deleted items, the outbox) is never offered.
 */
export interface FolderChoice {
  /**
   * What `only` takes. Gmail: the label id (`INBOX`, `CATEGORY_UPDATES`, `Label_12`). Outlook: the
   * name a message's `folder` carries (`inbox`, `sentitems`, `archive`, or a user folder's Graph
   * id), so a message is in a chosen folder when its `folder` is among `only`.
   */
  id: string;
  /** What the user reads: Gmail's label name (`Customers/Acme`); Outlook's folder path (`Inbox/Customers`). */
  name: string;
  /** A folder or label of the provider's own (Inbox, Sent, categories), or one the user made. */
  kind: 'system' | 'user';
}

/**
 * Restricts sync to chosen folders or labels (`FolderChoice.id`s): a message is in scope when it
 * sits in one of them (Outlook: that folder itself, not its child folders, which are choices of
 * their own) or carries one of them (Gmail). Null or absent: all mail not excluded (R21), the
 * default. Ids the mailbox no longer has choose nothing, so an empty list (or one of such ids
 * only) syncs nothing.
 */
export type FolderScope = readonly string[] | null;

/**
 * The one interface the sync engine uses for Gmail, Outlook and (later) IMAP. Every call takes an
 * `AbortSignal`, and every failure is a `ProviderError`. Messages come back normalised, with a
 * body or snippet only as far as `visibility` allows (R22).
 */
export interface MailProvider {
  readonly provider: Provider;
  identity(signal?: AbortSignal): Promise<MailboxIdentity>;
  /**
   * The folders or labels the user may choose from for `only`: Gmail's user labels and INBOX,
   * SENT, IMPORTANT, STARRED and the categories; Outlook's folders at every level but the excluded
   * ones (and those inside them). Read afresh on every call.
   */
  listFolders(signal?: AbortSignal): Promise<FolderChoice[]>;
  /**
   * A page of messages received or sent in `[since, now)`, from `only` or all mail; `cursor` null
   * for the first page. Pass the same `only` on every page of one window.
   */
  listWindow(input: { since: number; cursor: string | null; visibility: Visibility; only?: FolderScope; signal?: AbortSignal }): Promise<WindowPage>;
  /**
   * The cursor that stands for "now": incremental sync starts from it after a backfill. Cheap (a
   * request or two, never a walk through the mailbox), so take it before the backfill starts: mail
   * that arrives while the backfill runs then comes through `changes`, and so may mail the backfill
   * also lists (the engine drops what it already has, by provider id).
   */
  currentCursor(signal?: AbortSignal): Promise<string>;
  /**
   * One page of changes after `cursor`, with the cursor to store with it (R13: each page is a
   * resumable position; call again while `more`). Throws `cursor_expired` when the provider
   * forgot the cursor (R14).
   *
   * With `only`, what is in scope is what may be pushed: a message that enters the chosen folders
   * or labels comes in `messages`, one that leaves them (filed elsewhere, or its last chosen label
   * removed) in `removed`. A cursor does not depend on `only`: the same cursor may be used with
   * another choice. On Outlook a folder newly chosen, or made, starts from the cursor's start (its
   * mail received since then is reported); older mail in it needs a backfill of that folder.
   */
  changes(input: { cursor: string; visibility: Visibility; only?: FolderScope; signal?: AbortSignal }): Promise<ChangesPage>;
  /** Messages by provider id, fetched in the provider's batches. */
  getMessages(input: { ids: string[]; visibility: Visibility; signal?: AbortSignal }): Promise<Message[]>;
  /** Sends a plain-text test email (R31) and returns its provider id when the provider tells it. */
  sendTestEmail(input: { to: string; subject: string; body: string; signal?: AbortSignal }): Promise<{ providerId: string | null }>;
  /** Revokes the provider grant (R34). */
  revoke(): Promise<void>;
}
