/** A participant as the webmail page shows it: untrusted input (R30). */
export interface PageParticipant {
  name: string;
  address: string;
}

/**
 * The thread open in the webmail, as its page reader found it (R26). `threadKey` is the key the
 * engine stores for the thread: Gmail's API thread id, Outlook's conversation id. `missing` names
 * the selectors that found nothing, so a changed page shows up as partial data, never as a throw.
 */
export interface WebmailThread {
  threadKey: string;
  subject: string;
  participants: PageParticipant[];
  missing: string[];
}

/** The two webmails the sidebar runs on. */
export type Webmail = 'gmail' | 'outlook';

/**
 * What a webmail page shows of new mail (R16): the inbox's unread count (null when the page shows
 * none the reader can find) and the keys of the first conversations listed (at most 20, top first).
 */
export interface InboxSignal {
  unread: number | null;
  topKeys: string[];
}
