import type { InboxSignal, WebmailThread } from './thread';
import { ParticipantList, TOP_KEYS, addressesIn, all, checkAddress, countIn, guarded, isHidden, plainText } from './page';

/*
 * The Outlook on the web page reader (R26). Plain TypeScript: the content script imports this
 * file directly.
 *
 * What it relies on (mailvelope's Outlook DOM templates, recorded from outlook.office.com in a German
 * locale; fperezdev/wd-extension-poc; docs/engineering.md "Webmail markup"):
 * - a conversation is open when the path is `/mail/[<n>/]…/id/<ItemId>` or `/mail/deeplink/read/<ItemId>`;
 * - its key, the conversation id, is the `data-convid` of the selected option of the message list
 *   (`#MailList [role="option"][aria-selected="true"]`, or the option the listbox's
 *   `aria-activedescendant` names). The sources show no reading-pane attribute carrying it, so a
 *   conversation opened without the list (a `deeplink/read` window) has no key: null;
 * - the reading pane: `#ConversationReadingPaneContainer`, else `[data-app-section="ConversationContainer"]`
 *   or `[data-app-section="MailReadCompose"]`; its subject the first `[role="heading"]` in it;
 * - people by structure, not by the localised words ("From: " / "Von: " / "To: " / "An: "): an
 *   element whose `title` or `aria-label` names one address and nothing else but a label and a name
 *   is a person (its own text, when not an address, is the name; text inside a person is never
 *   read as an address, since a display name may look like one); outside the recipient wells such
 *   an element inside a list, option, link, button or draggable item (an attachment card) is none;
 *   inside `[data-testid="RecipientWell"]` addresses written as text, outside any person, count too;
 * - never the hashed class names. Message bodies (`[id^="UniqueMessageBody"]`, `[role="document"]`)
 *   are not read: an address quoted in a body is not a participant.
 */

/** The names `missing` may hold for Outlook. */
export const OUTLOOK_MISSING = {
  /** No reading pane container is found. */
  readingPane: 'readingPane',
  /** The reading pane has no `[role="heading"]` with text. */
  subject: 'subject',
  /** No person is found outside the recipient wells (the messages' senders). */
  senders: 'senders',
  /** No person is found inside a `[data-testid="RecipientWell"]`. */
  recipients: 'recipients',
} as const;

/** A conversation id: base64 (standard or URL-safe alphabet), at most 512 characters. */
const CONVERSATION_ID = /^[A-Za-z0-9+/=_-]{8,512}$/;
/**
 * A reply or forward being written: Outlook's compose part (`docking_InitVisiblePart…`), any form,
 * editable region, text box or combo box (the recipient wells and the From selector). The draft's
 * recipients and sender are not what the thread exchanged, so they are not participants.
 */
const DRAFT = '[id^="docking_InitVisiblePart"], form, [contenteditable="true"], [role="textbox"], [role="combobox"]';
/** Message bodies, and pop-ups a hover may leave inside the pane. */
const NOT_HEADERS = '[id^="UniqueMessageBody"], [role="document"], [role="dialog"], [role="tooltip"]';
const SUBJECT = '[role="heading"]';
const RECIPIENT_WELL = '[data-testid="RecipientWell"]';
const TEXT_NODE = 3;
/** The longest `title` / `aria-label` read as a person: a label (40), a name (300), an address (320) and spacing. */
const PERSON_VALUE_MAX = 700;
/**
 * Controls and lists in the pane that are no message header: attachment cards, links, buttons. An
 * attachment named like an address ("ceo@victim.test") carries that name as its `title`, so a titled
 * element inside one of these is no sender.
 */
const NOT_PEOPLE = 'button, a[href], [role="list"], [role="listitem"], [role="listbox"], [role="option"], [role="menuitem"], [draggable="true"]';
const PANE = ['#ConversationReadingPaneContainer', '[data-app-section="ConversationContainer"]', '[data-app-section="MailReadCompose"]'];

/** The path's segments after `/mail`, without the account index of outlook.live.com (`/mail/0/…`). */
function mailSegments(url: URL): string[] {
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0] !== 'mail') return [];
  const rest = segments.slice(1);
  return /^\d+$/.test(rest[0] ?? '') ? rest.slice(1) : rest;
}

/** True when the URL opens a conversation: `…/id/<ItemId>` or `deeplink/read/<ItemId>`. */
export function isOutlookThreadUrl(url: URL): boolean {
  const rest = mailSegments(url);
  if (rest[0] === 'deeplink') return rest[1] === 'read' && Boolean(rest[2]);
  if (rest[0] === 'options') return false;
  const id = rest.indexOf('id');
  return id >= 0 && Boolean(rest[id + 1]);
}

function conversationId(value: string | null): string | null {
  const id = value?.trim() ?? '';
  return CONVERSATION_ID.test(id) ? id : null;
}

/**
 * The selected conversation's id: the selected list option, else the option the listbox names as
 * active. Several different selected conversations mean a multi-selection, which opens no thread.
 */
function selectedConversation(doc: Document): string | null {
  const selected = new Set<string>();
  for (const option of all(doc, '#MailList [role="option"][data-convid][aria-selected="true"]')) {
    const id = conversationId(option.getAttribute('data-convid'));
    if (id) selected.add(id);
  }
  if (selected.size > 1) return null;
  if (selected.size === 1) return [...selected][0] ?? null;
  for (const listbox of all(doc, '[role="listbox"][aria-activedescendant]')) {
    const active = doc.getElementById(listbox.getAttribute('aria-activedescendant') ?? '');
    const id = active && listbox.contains(active) ? conversationId(active.getAttribute('data-convid')) : null;
    if (id) return id;
  }
  return null;
}

function readingPane(doc: Document): Element | null {
  for (const selector of PANE) {
    const pane = all(doc, selector).find((el) => !isHidden(el));
    if (pane) return pane;
  }
  return null;
}

/**
 * The address a person element's `title` or `aria-label` names, when that is all it names: the
 * address alone, or behind a label ("From: ", "Von: ", "من: ") and/or a name ("Sam <sam@x.test>"; a
 * quoted name may hold '@': `"ceo@x.test" <dana@y.test>` is dana).
 * A summary naming several people, or a sentence or preview that mentions an address, is none.
 */
function personAddress(value: string | null): string | null {
  // A longer value is no label, name and address (the parts' caps add up to about 700); checking
  // the length first keeps a page's huge attribute from costing the regex any time.
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > PERSON_VALUE_MAX) return null;
  // Trimmed first, and the address excludes whitespace and '>', so the tail cannot backtrack.
  const match = /^(?:[^:<>@]{1,40}:\s*)?(?:"[^"<>]{0,300}"\s*<\s*|[^<>@"]{0,300}<\s*)?([^\s<>@]+@[^\s<>@]+)\s*>?$/.exec(trimmed);
  return checkAddress(match?.[1]);
}

/**
 * The one address an element's `title` and `aria-label` name, else null. A title and an aria-label
 * naming two different people make neither one certain.
 */
function spokenPerson(element: Element): string | null {
  const spelled = [element.getAttribute('title'), element.getAttribute('aria-label')].map(personAddress).filter((a) => a !== null);
  const [first] = spelled;
  return first && spelled.every((a) => a.toLowerCase() === first.toLowerCase()) ? first : null;
}

/** True when an ancestor inside the same recipient well is a person element. */
function insidePerson(element: Element): boolean {
  for (let el = element.parentElement; el && !el.matches(RECIPIENT_WELL); el = el.parentElement) {
    if (spokenPerson(el)) return true;
  }
  return false;
}

/**
 * A display name from text: the part before "<address>" when the text holds one, the whole text when
 * it holds no address, else none. A leading label ("From:", "An:", "من:") is dropped by its colon,
 * whatever the language, so a display name containing a colon loses its first part.
 */
function nameIn(text: string): string {
  const angle = text.indexOf('<');
  const name = angle >= 0 && text.slice(angle).includes('@') ? text.slice(0, angle) : text.includes('@') ? '' : text;
  return plainText(name.replace(/^[^:]*:/, '').replace(/["']/g, ''));
}

/** The people a recipient well writes as plain text: "An: anna@x.test; Einkauf <einkauf@x.test>". */
function textPeople(text: string): { address: string; name: string }[] {
  return text.split(/[;,\u060c\u061b]/).flatMap((piece) => {
    const [address] = addressesIn(piece);
    return address ? [{ address, name: nameIn(piece) }] : [];
  });
}

/**
 * Reads the conversation open in Outlook: null on a list, settings, a compose window, or when no
 * usable conversation id is found. Never throws; what it cannot find is named in `missing`
 * (see `OUTLOOK_MISSING`).
 */
export function readOutlookThread(doc: Document, url: URL): WebmailThread | null {
  return guarded(null, () => {
    if (!isOutlookThreadUrl(url)) return null;
    const threadKey = selectedConversation(doc);
    if (!threadKey) return null;

    const missing: string[] = [];
    const pane = readingPane(doc);
    if (!pane) missing.push(OUTLOOK_MISSING.readingPane);
    const skip = (el: Element) => Boolean(el.closest(DRAFT) || el.closest(NOT_HEADERS));

    const heading = pane ? all(pane, SUBJECT).find((h) => !skip(h) && plainText(h.textContent)) : undefined;
    const subject = plainText(heading?.textContent, 2000);
    if (!subject) missing.push(OUTLOOK_MISSING.subject);

    const participants = new ParticipantList();
    let senders = 0;
    let recipients = 0;
    // Candidates in document order: elements whose title or aria-label holds an address, and the recipient wells' content.
    const candidates = pane ? all(pane, `[title*="@"], [aria-label*="@"], ${RECIPIENT_WELL}, ${RECIPIENT_WELL} *`) : [];
    for (const element of candidates) {
      // A subject that is an address ("dana@x.test") names no participant.
      if (skip(element) || heading?.contains(element)) continue;
      const inWell = Boolean(element.closest(RECIPIENT_WELL));
      // Outside the wells only message headers name people, never an attachment card or a link.
      if (!inWell && element.closest(NOT_PEOPLE)) continue;
      const found: { address: string; name: string }[] = [];
      const first = spokenPerson(element);
      if (first) found.push({ address: first, name: nameIn(element.textContent ?? '') });
      // A person's text is its display name, and a display name may read like an address
      // ("ceo@victim.test" <dana@customer.test>): text inside a person element names nobody.
      if (inWell && !first && !insidePerson(element)) {
        // Addresses written as text directly in this element (a child element is a candidate itself).
        const ownText = Array.from(element.childNodes)
          .filter((node) => node.nodeType === TEXT_NODE)
          .map((node) => node.textContent ?? '')
          .join(' ');
        found.push(...textPeople(ownText));
      }
      for (const person of found) {
        if (!participants.add(person.address, person.name)) continue;
        if (inWell) recipients++;
        else senders++;
      }
    }
    if (pane && senders === 0) missing.push(OUTLOOK_MISSING.senders);
    if (pane && recipients === 0) missing.push(OUTLOOK_MISSING.recipients);
    return { threadKey, subject, participants: participants.list(), missing };
  });
}

/**
 * The Inbox folder's node in the folder pane: a tree item whose `data-folder-name` is "inbox" or
 * whose Fluent icon is an Inbox icon (icon names are identifiers, not localised words).
 */
function inboxFolder(doc: Document): Element | null {
  const own = (item: Element, selector: string) => all(item, selector).filter((el) => el.closest('[role="treeitem"]') === item);
  return (
    all(doc, '[role="treeitem"]').find(
      (item) => item.getAttribute('data-folder-name')?.trim().toLowerCase() === 'inbox' || own(item, '[data-icon-name^="Inbox"]').length > 0,
    ) ?? null
  );
}

/**
 * What the Outlook page shows of new mail (R16): the Inbox folder's unread count in the folder pane
 * (0 when the folder shows no count, null when the folder is not found) and the conversation ids
 * of the first 20 options of the message list.
 */
export function readOutlookInbox(doc: Document): InboxSignal {
  return guarded<InboxSignal>({ unread: null, topKeys: [] }, () => {
    const topKeys: string[] = [];
    for (const option of all(doc, '#MailList [role="option"][data-convid]')) {
      if (topKeys.length >= TOP_KEYS) break;
      const id = conversationId(option.getAttribute('data-convid'));
      if (id && !topKeys.includes(id)) topKeys.push(id);
    }
    const folder = inboxFolder(doc);
    let unread: number | null = null;
    if (folder) {
      // The count badge: the last leaf whose whole text is a number.
      const counts = all(folder, '*')
        .filter((el) => el.children.length === 0 && el.closest('[role="treeitem"]') === folder)
        .map((el) => countIn(el.textContent))
        .filter((n): n is number => n !== null);
      unread = counts.at(-1) ?? 0;
    }
    return { unread, topKeys };
  });
}
