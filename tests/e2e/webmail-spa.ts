import type { BrowserContext, Frame, Page } from '@playwright/test';
import { readGmailThread } from '../../lib/webmail/gmail';
import { readOutlookThread } from '../../lib/webmail/outlook';
import type { WebmailThread } from '../../lib/webmail/thread';
import { fixture } from '../unit/webmail/fixture';
import { expect, fixtureHtml } from './fixtures';

/**
 * Single-page webmails for the sidebar's e2e tests: a shell served at the real URL through
 * `context.route`, whose "page script" (`page.evaluate`, the main world) swaps the view and the
 * URL the way Gmail and Outlook on the web do, without a reload.
 *
 * The markup is modelled on what engineering.md ("Webmail markup") records from gmail.js,
 * InboxSDK and mailvelope's Outlook templates: Gmail's `h2.hP[data-legacy-thread-id]`, senders
 * `span.gD[email][name]` and recipients `span.g2[email][name]` in `.hb`; Outlook's `#MailList`
 * options with `data-convid` and `aria-selected`, and the reading pane
 * `[data-app-section="ConversationContainer"]`. Written for this project.
 */

export interface Person {
  name: string;
  address: string;
}

export interface FixtureThread {
  /** Gmail: the API's hex thread id (`data-legacy-thread-id`); Outlook: the conversation id. */
  key: string;
  /** Gmail only: the id in the URL's hash. */
  urlId?: string;
  subject: string;
  from: Person;
  to: Person[];
}

export interface Webmail {
  name: 'gmail' | 'outlook';
  /** The URL the shell is served at, showing the inbox. */
  inboxUrl: string;
  routes: string;
  shell(): string;
  /** The main world opens `thread` as the webmail would: new view, new URL, no reload. */
  openThread(page: Page, thread: FixtureThread): Promise<void>;
  /** The main world goes back to the inbox list. */
  openInbox(page: Page): Promise<void>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function gmailThreadHtml(thread: FixtureThread): string {
  const to = thread.to.map((p) => `<span class="g2" email="${escape(p.address)}" name="${escape(p.name)}">${escape(p.name)}</span>`).join(', ');
  return `<div class="nH"><h2 class="hP" data-legacy-thread-id="${escape(thread.key)}" data-thread-perm-id="thread-f:${escape(thread.key)}">${escape(thread.subject)}</h2>
    <div class="adn" data-legacy-message-id="${escape(thread.key)}"><table><tr><td class="gF"><span class="gD" email="${escape(thread.from.address)}" name="${escape(thread.from.name)}">${escape(thread.from.name)}</span></td></tr></table>
    <div class="hb">to ${to}</div><div class="a3s">Hello.</div></div></div>`;
}

const GMAIL_INBOX = `<table class="F cf zt" role="grid"><tbody>
  <tr class="zA zE"><td class="yX xY"><span class="yP" email="dana@customer.test" name="Dana Buyer">Dana Buyer</span></td><td><span class="bog">Renewal quote</span></td></tr>
</tbody></table>`;

export const gmail: Webmail = {
  name: 'gmail',
  inboxUrl: 'https://mail.google.com/mail/u/0/#inbox',
  routes: 'https://mail.google.com/**',
  shell: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inbox (3) - rep@acme-sales.test - Gmail</title>
    <style>body{margin:0;font-family:Arial,sans-serif}button{background-color:rgb(255,0,0)!important}</style></head>
    <body><div class="nH"><div class="aeN" role="navigation"><a href="#inbox">Inbox</a></div><div class="bkK" role="main">${GMAIL_INBOX}</div></div></body></html>`,
  async openThread(page, thread) {
    await page.evaluate(
      ([html, hash]) => {
        document.querySelector('[role="main"]')!.innerHTML = html;
        location.hash = hash;
      },
      [gmailThreadHtml(thread), `#inbox/${thread.urlId ?? thread.key}`] as const,
    );
  },
  async openInbox(page) {
    await page.evaluate((html) => {
      document.querySelector('[role="main"]')!.innerHTML = html;
      location.hash = '#inbox';
    }, GMAIL_INBOX);
  },
};

function outlookPaneHtml(thread: FixtureThread): string {
  const to = thread.to.map((p) => `<span title="${escape(p.address)}">${escape(p.name)}</span>`).join('; ');
  return `<div data-app-section="ConversationContainer"><div role="heading" aria-level="2">${escape(thread.subject)}</div>
    <div role="document"><span aria-label="From: ${escape(thread.from.name)}"><span title="${escape(thread.from.address)}">${escape(thread.from.name)}</span></span>
    <div data-testid="RecipientWell">To: ${to}</div><div id="UniqueMessageBody_1">Hello.</div></div></div>`;
}

export const outlook: Webmail = {
  name: 'outlook',
  inboxUrl: 'https://outlook.office.com/mail/',
  routes: 'https://outlook.office.com/**',
  shell: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mail - Rep - Outlook</title>
    <style>body{margin:0;font-family:'Segoe UI',sans-serif}</style></head>
    <body><div id="app"><div id="MailList" role="listbox" aria-label="Message list"></div><div id="ReadingPane"></div></div></body></html>`,
  async openThread(page, thread) {
    await page.evaluate(
      ([key, pane]) => {
        const list = document.getElementById('MailList')!;
        for (const option of list.querySelectorAll('[role="option"]')) option.setAttribute('aria-selected', 'false');
        let option = [...list.querySelectorAll<HTMLElement>('[role="option"]')].find((o) => o.dataset.convid === key);
        if (!option) {
          option = document.createElement('div');
          option.setAttribute('role', 'option');
          option.dataset.convid = key;
          list.append(option);
        }
        option.setAttribute('aria-selected', 'true');
        document.getElementById('ReadingPane')!.innerHTML = pane;
        history.pushState({}, '', `/mail/inbox/id/${encodeURIComponent(key)}`);
      },
      [thread.key, outlookPaneHtml(thread)] as const,
    );
  },
  async openInbox(page) {
    await page.evaluate(() => {
      for (const option of document.querySelectorAll('#MailList [role="option"]')) option.setAttribute('aria-selected', 'false');
      document.getElementById('ReadingPane')!.innerHTML = '';
      history.pushState({}, '', '/mail/inbox');
    });
  },
};

/** Serves the webmail's shell at its real URLs and opens its inbox in a new page. */
export async function openWebmail(context: BrowserContext, webmail: Webmail): Promise<Page> {
  await context.route(webmail.routes, (route) => route.fulfill({ contentType: 'text/html', body: webmail.shell() }));
  const page = await context.newPage();
  await page.goto(webmail.inboxUrl);
  return page;
}

/** The sidebar frame the content script hosts now (Playwright sees into extension frames; the page does not). */
export async function sidebarFrame(page: Page, extensionId: string): Promise<Frame> {
  const url = `chrome-extension://${extensionId}/sidebar-frame.html`;
  let found: Frame | undefined;
  await expect
    .poll(async () => {
      found = undefined;
      for (const frame of page.frames()) {
        if (frame.isDetached() || frame.url() !== url) continue;
        // Ours sits in the host's shadow root; a frame the page embedded itself does not.
        const hosted = await frame
          .frameElement()
          .then((element) => element.evaluate((iframe) => (iframe.getRootNode() as ShadowRoot).host?.hasAttribute('data-mailbox-crm-sidebar') ?? false))
          .catch(() => false);
        if (hosted) found = frame;
      }
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}

/** The host element's layout as the page lays it out: hidden, a thin tab, or the full sidebar. */
export async function hostLayout(page: Page): Promise<'absent' | 'hidden' | 'collapsed' | 'expanded'> {
  return page.evaluate(() => {
    const host = document.querySelector<HTMLElement>('[data-mailbox-crm-sidebar]');
    if (!host) return 'absent';
    const box = host.getBoundingClientRect();
    if (getComputedStyle(host).display === 'none') return 'hidden';
    return box.width < 100 ? 'collapsed' : 'expanded';
  });
}

/** Waits until the sidebar frame's text contains `text`. */
export async function expectSidebarText(page: Page, extensionId: string, text: string): Promise<void> {
  await expect.poll(async () => (await sidebarFrame(page, extensionId)).locator('body').innerText(), { timeout: 5_000 }).toContain(text);
}

/** One of the page readers' fixture pages (tests/fixtures/webmail/<webmail>/), and what the reader reads on it. */
export interface FixturePage {
  file: string;
  html: string;
  /** The URL its opening comment says it is served at. */
  url: string;
  /** The reader's result on it, in Node: what the sidebar must be told. */
  thread: WebmailThread | null;
}

/** Loads a readers' fixture page and runs that webmail's reader over it. */
export function fixturePage(webmail: 'gmail' | 'outlook', file: string): FixturePage {
  const { doc, url } = fixture(`${webmail}/${file}`);
  const thread = webmail === 'gmail' ? readGmailThread(doc, url) : readOutlookThread(doc, url);
  return { file, html: fixtureHtml(`${webmail}/${file}`), url: url.href, thread };
}

/** Serves `first` at every URL of the webmail and opens it. */
export async function openFixture(context: BrowserContext, webmail: Webmail, first: FixturePage): Promise<Page> {
  await context.route(webmail.routes, (route) => route.fulfill({ contentType: 'text/html', body: first.html }));
  const page = await context.newPage();
  await page.goto(first.url);
  return page;
}

/**
 * The main world turns the page into `next` as the single-page webmail does: a new title and
 * body (the sidebar's host, a child of <html>, stays), and a new URL by hash or history, no reload.
 * A page of another origin (outlook.live.com after outlook.office.com) is a real load instead.
 */
export async function showFixture(page: Page, next: FixturePage): Promise<void> {
  const target = new URL(next.url);
  if (target.origin !== new URL(page.url()).origin) {
    await page.context().route(`${target.origin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: next.html }));
    await page.goto(target.href);
    return;
  }
  await page.evaluate(
    ([html, url]) => {
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      document.title = parsed.title;
      document.body.replaceWith(document.adoptNode(parsed.body));
      const goal = new URL(url);
      if (goal.pathname + goal.search === location.pathname + location.search) location.hash = goal.hash;
      else history.pushState({}, '', goal.href);
    },
    [next.html, next.url] as const,
  );
}
