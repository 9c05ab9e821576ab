/*
 * Webmail pages for the sidebar's end-to-end tests, built around a thread the emulators really
 * hold: its real thread id (Gmail) or conversation id (Outlook), its subject and participants.
 * The markup is modelled on the page readers' own fixtures (tests/fixtures/webmail/gmail/
 * thread-collapsed-expanded.html and tests/fixtures/webmail/outlook/conversation-collapsed-expanded.html),
 * which follow what gmail.js, InboxSDK and mailvelope record of the real pages; only the parts the
 * readers rely on are kept. Every
 * value is escaped as the webmail itself shows text: a subject holding markup is text on the page.
 */

export interface PagePerson {
  name: string;
  address: string;
}

export interface PageMessage {
  from: PagePerson;
  to: PagePerson[];
  cc?: PagePerson[];
}

export interface PageThread {
  /** Gmail's API thread id (hex), or Outlook's conversation id. */
  id: string;
  subject: string;
  messages: PageMessage[];
}

/** Text and attribute values as the page's own HTML carries them. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

const gmailPerson = (cls: string, p: PagePerson) => `<span class="${cls}" email="${escapeHtml(p.address)}" name="${escapeHtml(p.name)}">${escapeHtml(p.name)}</span>`;

/** The Gmail thread view's body: the subject `h2.hP` with the API thread id, each message expanded (`div.adn` with its sender and its `.hb` recipients). */
export function gmailThreadBody(thread: PageThread): string {
  const messages = thread.messages
    .map(
      (m) =>
        `<div role="listitem" class="h7 ie nH"><div class="adn ads"><div class="gs"><table class="cf gJ"><tbody>` +
        `<tr class="acZ"><td class="gF gK"><h3 class="iw">${gmailPerson('gD', m.from)}</h3></td></tr>` +
        `<tr class="acZ"><td><div class="hb">${[...m.to, ...(m.cc ?? [])].map((p) => gmailPerson('g2', p)).join(', ')}</div></td></tr>` +
        `</tbody></table><div class="ii gt"><div class="a3s">…</div></div></div></div></div>`,
    )
    .join('');
  return (
    `<div class="nH"><div class="bkK" role="main"><div class="nH if">` +
    `<div class="ha"><h2 class="hP" data-legacy-thread-id="${escapeHtml(thread.id)}" tabindex="-1">${escapeHtml(thread.subject)}</h2></div>` +
    `<div role="list" class="nH aHU">${messages}</div></div></div></div>`
  );
}

/** The Gmail inbox list's body (no thread open). */
export function gmailInboxBody(threads: readonly PageThread[]): string {
  const rows = threads
    .map((t) => `<tr class="zA yO" role="row"><td class="yX xY">${gmailPerson('yP', t.messages[0]!.from)}</td><td class="xY a4W"><span class="bog"><span data-legacy-thread-id="${escapeHtml(t.id)}">${escapeHtml(t.subject)}</span></span></td></tr>`)
    .join('');
  return `<div class="nH"><div class="bkK" role="main"><div class="ae4 UI nH" gh="tl"><table class="F cf zt" role="grid"><tbody>${rows}</tbody></table></div></div></div>`;
}

/** Gmail's URL of the thread view (`#inbox/<id>`) and of the inbox. */
export const GMAIL_INBOX_URL = 'https://mail.google.com/mail/u/0/#inbox';
export const gmailThreadUrl = (thread: PageThread) => `${GMAIL_INBOX_URL}/${thread.id}`;

/** A whole Gmail page around a body. */
export const gmailPage = (body: string) => page('Gmail', body);

/** Outlook's message list: one option per conversation, `data-convid` on each, the open one selected. */
function outlookList(threads: readonly PageThread[], selected: string | null): string {
  const options = threads
    .map(
      (t, i) =>
        `<div id="mlo-${i}" role="option" data-convid="${escapeHtml(t.id)}" aria-selected="${t.id === selected}" tabindex="-1"><span title="${escapeHtml(t.messages[0]!.from.address)}">${escapeHtml(t.messages[0]!.from.name)}</span> <span>${escapeHtml(t.subject)}</span></div>`,
    )
    .join('');
  return `<div id="MailList" tabindex="-1"><div role="listbox" aria-label="Message list">${options}</div></div>`;
}

const outlookRecipients = (label: string, people: readonly PagePerson[]) =>
  people.length === 0 ? '' : `<div data-testid="RecipientWell"><span>${label}</span> ${people.map((p) => `<span title="${escapeHtml(p.address)}">${escapeHtml(p.name)}</span>`).join('; ')}</div>`;

/**
 * Outlook's body with a conversation open: the message list (the open conversation's option
 * selected, carrying its conversation id) and the reading pane with the subject heading and each
 * message expanded (the sender's `aria-label="From: name <address>"`, the recipient wells).
 */
export function outlookThreadBody(thread: PageThread, others: readonly PageThread[] = []): string {
  const messages = thread.messages
    .map(
      (m) =>
        `<div aria-expanded="true"><div aria-label="Email message">` +
        `<span role="region"><span aria-label="From: ${escapeHtml(`${m.from.name} <${m.from.address}>`)}" tabindex="0"><span>${escapeHtml(m.from.name)}</span> <span>&lt;${escapeHtml(m.from.address)}&gt;</span></span></span>` +
        `<div>${outlookRecipients('To:', m.to)}${outlookRecipients('Cc:', m.cc ?? [])}</div>` +
        `<div role="document"><div id="UniqueMessageBody_1">…</div></div></div></div>`,
    )
    .join('');
  return (
    `<div id="app">${outlookList([thread, ...others], thread.id)}` +
    `<div id="ConversationReadingPaneContainer" tabindex="-1"><div><div role="heading" aria-level="2"><span title="${escapeHtml(thread.subject)}">${escapeHtml(thread.subject)}</span></div></div>` +
    `<div data-app-section="ConversationContainer">${messages}</div></div></div>`
  );
}

/** Outlook's body with no conversation open: the list alone. */
export function outlookInboxBody(threads: readonly PageThread[]): string {
  return `<div id="app">${outlookList(threads, null)}</div>`;
}

export const OUTLOOK_INBOX_URL = 'https://outlook.office.com/mail/';
/** Outlook's URL of an open message (`/mail/inbox/id/<ItemId>`). */
export const outlookThreadUrl = (itemId: string) => `${OUTLOOK_INBOX_URL}inbox/id/${encodeURIComponent(itemId)}`;

/** A whole Outlook page around a body. */
export const outlookPage = (body: string) => page('Mail - Outlook', body);
