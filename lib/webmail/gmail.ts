import type { InboxSignal, WebmailThread } from './thread';
import { ParticipantList, TOP_KEYS, all, countIn, guarded, isHidden, plainText } from './page';

/*
 * The Gmail page reader (R26). Plain TypeScript: the content script imports this file directly.
 *
 * What it relies on (gmail.js and InboxSDK record the markup; docs/engineering.md "Webmail markup"):
 * - the thread view's URL hash ends in a thread id: `#inbox/<id>`, `#sent/<id>`,
 *   `#label/<name>/<id>`, `#search/<query>/<id>`, `#category/<name>/<id>`;
 * - the open thread's subject `h2.hP`, carrying `data-legacy-thread-id` (the API's hex thread id)
 *   and `data-thread-perm-id` (`thread-f:<the same id in decimal>`);
 * - each message `div.adn`; its sender `span[email]` in `h3.iw` / `td.gF` (`span.gD`), shown for
 *   collapsed and expanded messages; its To/Cc/Bcc recipients `span[email]` inside `.hb`, shown
 *   for expanded messages only;
 * - for people, the `email` and `name` attributes, never the UI's words ("to me", "an mich");
 *   the obfuscated class names above are the ones gmail.js and InboxSDK have relied on for years.
 * Earlier views stay in the DOM hidden (`display: none`); hidden subjects are passed over.
 */

/** The names `missing` may hold for Gmail. */
export const GMAIL_MISSING = {
  /** `h2.hP` is absent or empty. */
  subject: 'subject',
  /** No `div.adn` message in the thread. */
  messages: 'messages',
  /** No message shows a sender `span[email]` with a usable address. */
  senders: 'senders',
  /** No expanded message shows a recipient `span[email]` with a usable address (so also when every message is collapsed). */
  recipients: 'recipients',
} as const;

/** An API thread id: 64 bits in lowercase hex (older ids may have fewer digits). */
const API_THREAD_ID = /^[0-9a-f]{12,16}$/i;
/** The new-style hash id (`FMfcgz…`): an opaque token, not the API id, so never a key. */
const HASH_TOKEN = /^[A-Za-z0-9_-]{20,80}$/;
/** Sections whose first hash segment after the name is a label, a query or a category, not a thread. */
const NAMED_SECTIONS = new Set(['label', 'search', 'category', 'advanced-search', 'create-filter', 'apps']);
/**
 * A reply or forward being written (the inline reply box `.ip`, the compose form `.M9`, any form
 * or editable region). Its recipient chips and From selector are the draft's, not what the
 * thread exchanged, so the engine has no mail with them yet: they are not participants.
 */
const DRAFT = '.ip, .M9, form, [contenteditable="true"], [g_editable="true"]';
const SENDER = 'h3.iw span[email], td.gF span[email], span.gD[email]';
const RECIPIENT = '.hb span[email]';

/** The hash's path segments, without Gmail's `?compose=…` suffix. */
function hashSegments(url: URL): string[] {
  return (url.hash.replace(/^#/, '').split('?')[0] ?? '').split('/').filter(Boolean);
}

/** True when the URL is Gmail's thread view: the hash ends in a legacy or new-style thread id. */
export function isGmailThreadUrl(url: URL): boolean {
  const segments = hashSegments(url);
  const section = segments[0];
  if (!section || section === 'settings') return false;
  if (segments.length < (NAMED_SECTIONS.has(section) ? 3 : 2)) return false;
  const last = segments[segments.length - 1] ?? '';
  return API_THREAD_ID.test(last) || HASH_TOKEN.test(last);
}

/** An API thread id from an attribute value: the hex id itself, or `thread-f:<decimal>` converted. */
function apiThreadId(hex: string | null, permId: string | null): string | null {
  const direct = hex?.trim() ?? '';
  if (API_THREAD_ID.test(direct)) return direct.toLowerCase();
  const decimal = /^#?thread-f:(\d{1,20})$/.exec(permId?.trim() ?? '')?.[1];
  if (!decimal) return null;
  const converted = BigInt(decimal).toString(16);
  return API_THREAD_ID.test(converted) ? converted : null;
}

/** The open thread's subject heading: the first visible `h2.hP`, preferring one with a usable id. */
function subjectHeading(doc: Document): Element | null {
  const visible = all(doc, 'h2.hP').filter((h) => !isHidden(h));
  return visible.find((h) => threadIdOf(h) !== null) ?? visible[0] ?? null;
}

function threadIdOf(element: Element): string | null {
  return apiThreadId(element.getAttribute('data-legacy-thread-id'), element.getAttribute('data-thread-perm-id'));
}

/**
 * The key when the subject carries none: the URL's last hash segment when it is a legacy hex id
 * (older Gmail URLs, and links such as `#inbox/18c2…`, use the API id). The new-style `FMfcgz…`
 * token is not the API id and is never used.
 */
function threadIdFromUrl(url: URL): string | null {
  const segments = hashSegments(url);
  const last = segments[segments.length - 1] ?? '';
  return API_THREAD_ID.test(last) ? last.toLowerCase() : null;
}

/** The smallest ancestor of the subject that holds the thread's messages. */
function threadRoot(doc: Document, heading: Element | null): ParentNode {
  for (let el = heading?.parentElement ?? null; el; el = el.parentElement) {
    if (el.querySelector('div.adn')) return el;
  }
  return all(doc, '[role="main"]').find((main) => !isHidden(main)) ?? doc;
}

/**
 * Reads the thread open in Gmail: null on a list, settings or a lone compose window, or when no
 * usable thread key is found. Never throws; what it cannot find is named in `missing`
 * (see `GMAIL_MISSING`).
 */
export function readGmailThread(doc: Document, url: URL): WebmailThread | null {
  return guarded(null, () => {
    if (!isGmailThreadUrl(url)) return null;
    const heading = subjectHeading(doc);
    const threadKey = (heading && threadIdOf(heading)) ?? threadIdFromUrl(url);
    if (!threadKey) return null;

    const missing: string[] = [];
    const subject = plainText(heading?.textContent, 2000);
    if (!subject) missing.push(GMAIL_MISSING.subject);

    // An earlier thread kept hidden nearby is not this one.
    const messages = all(threadRoot(doc, heading), 'div.adn').filter((m) => !m.closest(DRAFT) && !isHidden(m));
    if (messages.length === 0) missing.push(GMAIL_MISSING.messages);
    const participants = new ParticipantList();
    let senders = 0;
    let recipients = 0;
    for (const message of messages) {
      const sender = all(message, SENDER).find((span) => !span.closest(DRAFT));
      if (sender && participants.add(sender.getAttribute('email'), sender.getAttribute('name') || sender.textContent)) senders++;
      for (const span of all(message, RECIPIENT)) {
        if (!span.closest(DRAFT) && participants.add(span.getAttribute('email'), span.getAttribute('name') || span.textContent)) recipients++;
      }
    }
    if (messages.length > 0 && senders === 0) missing.push(GMAIL_MISSING.senders);
    if (messages.length > 0 && recipients === 0) missing.push(GMAIL_MISSING.recipients);
    return { threadKey, subject, participants: participants.list(), missing };
  });
}

/** The inbox's unread count: the navigation link's badge, else the title's "(N)", else 0 when the link shows none. */
function gmailUnread(doc: Document): number | null {
  const link = all(doc, '[role="navigation"] a[href$="#inbox"]')[0];
  let badge: Element | null = null;
  for (let el = link?.parentElement ?? null, depth = 0; el && depth < 4 && !badge; el = el.parentElement, depth++) {
    badge = el.querySelector('.bsU');
  }
  const fromBadge = countIn(badge?.textContent);
  if (fromBadge !== null) return fromBadge;
  const fromTitle = countIn(/\(([^()]*)\)/.exec(doc.title)?.[1]);
  if (fromTitle !== null) return fromTitle;
  return link ? 0 : null;
}

/**
 * What the Gmail page shows of new mail (R16): the inbox's unread count and the thread ids of the
 * first 20 visible list rows (`tr.zA`). Rows of a list hidden behind an open thread are not
 * read (they may be any earlier view); the unread count covers that case.
 */
export function readGmailInbox(doc: Document): InboxSignal {
  return guarded<InboxSignal>({ unread: null, topKeys: [] }, () => {
    const topKeys: string[] = [];
    for (const row of all(doc, 'tr.zA')) {
      if (topKeys.length >= TOP_KEYS) break;
      if (isHidden(row)) continue;
      const idHolder = row.querySelector('[data-legacy-thread-id], [data-thread-id]');
      const key = idHolder && apiThreadId(idHolder.getAttribute('data-legacy-thread-id'), idHolder.getAttribute('data-thread-id'));
      if (key && !topKeys.includes(key)) topKeys.push(key);
    }
    return { unread: gmailUnread(doc), topKeys };
  });
}
