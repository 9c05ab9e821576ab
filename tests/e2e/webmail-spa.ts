import type { BrowserContext, Frame, Page } from '@playwright/test';
import { readGmailThread } from '../../lib/webmail/gmail';
import { readOutlookThread } from '../../lib/webmail/outlook';
import type { WebmailThread } from '../../lib/webmail/thread';
import { fixture } from '../unit/webmail/fixture';
import { expect, fixtureHtml } from './fixtures';

/**
 * Single-page webmails for the sidebar host's e2e tests: the page readers' fixture pages
 * (tests/fixtures/webmail/, each modelled on the real markup, see its opening comment) served at
 * their real URLs through `context.route`, and a "page script" (`page.evaluate`, the main world)
 * that swaps the view and the URL the way Gmail and Outlook on the web do, without a reload.
 */

/** A webmail: which requests the tests serve with fixture pages. */
export interface Webmail {
  name: 'gmail' | 'outlook';
  routes: string;
}

export const gmail: Webmail = { name: 'gmail', routes: 'https://mail.google.com/**' };
export const outlook: Webmail = { name: 'outlook', routes: 'https://outlook.office.com/**' };

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
  /** The page's own text (whitespace collapsed). */
  text: string;
  /** The reader's result on it, in Node: what the sidebar must be told. */
  thread: WebmailThread | null;
}

/** Loads a readers' fixture page and runs that webmail's reader over it. */
export function fixturePage(webmail: 'gmail' | 'outlook', file: string): FixturePage {
  const { doc, url } = fixture(`${webmail}/${file}`);
  const thread = webmail === 'gmail' ? readGmailThread(doc, url) : readOutlookThread(doc, url);
  const text = `${doc.title} ${doc.body.textContent ?? ''}`.replace(/\s+/g, ' ');
  return { file, html: fixtureHtml(`${webmail}/${file}`), url: url.href, text, thread };
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
