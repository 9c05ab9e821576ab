import type { BrowserContext, Page } from '@playwright/test';
import type { GroundTruth, Verdict } from '../../emulators/seed/ground-truth';
import type { Policy } from '../../emulators/seed/policy';
import type { Mailbox } from '../../lib/domain';
import { admin, call, connectCrmWithPolicy, CRM_URL, crmEmails, type InExtensionPage, jobs, outboxSettled, outsideCrmContact, playwrightPage, until } from './engine-steps';
import { expect, test } from './fixtures';
import { expectFrameAccessible, snapBothThemes } from './look';
import { hostLayout, showFixture, sidebarFrame } from './webmail-spa';
import {
  GMAIL_INBOX_URL,
  gmailInboxBody,
  gmailPage,
  gmailThreadBody,
  gmailThreadUrl,
  OUTLOOK_INBOX_URL,
  outlookInboxBody,
  outlookPage,
  outlookThreadBody,
  outlookThreadUrl,
  type PagePerson,
  type PageThread,
} from './webmail-pages';

/*
 * The sidebar in the webmails (issue 11, R26–R30), end to end: the engine runs against the
 * emulators, the webmail pages are served at their real URLs, built around threads the emulators
 * really hold (webmail-pages.ts), and every action is checked where it lands: in the CRM
 * emulator, or in what the engine pushes of mail delivered after it.
 */

interface CrmContact {
  id: string;
  name: string;
  email: string;
  company: { id: string; name: string } | null;
}

/** The CRM's contacts as its public API lists them (the demo token's view). */
async function crmContacts(): Promise<CrmContact[]> {
  const response = await fetch(`${CRM_URL}/public/v1/contacts?per_page=100`, { headers: { authorization: 'Bearer crm_pat_demo' } });
  if (!response.ok) throw new Error(`CRM contacts: HTTP ${response.status}`);
  return ((await response.json()) as { data: CrmContact[] }).data;
}

/** Two CRM contacts at outside addresses, each at a different address. */
async function twoOutsideContacts(): Promise<[CrmContact, CrmContact]> {
  const first = (await outsideCrmContact()) as CrmContact;
  const policy = await admin.get<Policy>('/policy');
  const inside = new Set([...policy.workspaceDomains, ...policy.blockedDomains]);
  const second = (await crmContacts()).find((c) => c.id !== first.id && c.email !== first.email && !inside.has(c.email.split('@')[1]!.toLowerCase()) && !policy.blockedAddresses.includes(c.email.toLowerCase()));
  if (!second) throw new Error('The CRM has no second outside contact');
  return [(await crmContacts()).find((c) => c.id === first.id)!, second];
}

/** The sidebar refuses action clicks until it has been really visible for 500 ms (clickjacking defence): a user is not that fast, Playwright is. */
async function seenLongEnough(page: Page): Promise<void> {
  await page.waitForTimeout(700);
}

const unique = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

/** An extension page to send protocol messages from, with the emulators reset. */
async function extensionPage(context: BrowserContext, extensionId: string): Promise<InExtensionPage> {
  await admin.post('/reset', {});
  await admin.put('/config', { consent: 'allow' });
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  return playwrightPage(page);
}

/** Connects the mailbox and the CRM, and waits for the contacts mirror and the mailbox's first sync. */
async function connect(ext: InExtensionPage, provider: 'gmail' | 'outlook', scope: 'sales' | 'support' | 'personal'): Promise<Mailbox> {
  const { id } = await call<{ id: string }>(ext, 'connectMailbox', { provider, scope });
  await connectCrmWithPolicy(ext);
  await until('the CRM contact mirror', async () => ((await jobs(ext)).jobs.find((j) => j.id === 'crm/contacts')?.status === 'done' ? true : undefined), 90_000, 500);
  return until('the mailbox\'s first sync', async () => (await call<{ mailboxes: Mailbox[] }>(ext, 'getOverview', {})).mailboxes.find((m) => m.id === id && m.lastSyncedAt !== null), 120_000, 500);
}

interface Delivered {
  verdict: Verdict;
  thread: PageThread;
}

/**
 * Delivers one message with the emulator's admin API, runs "Sync now" and waits until the engine
 * stored it (its state shows in the thread view). Answers the emulator's verdict (its thread id
 * and CRM key) and the page thread it makes.
 */
async function deliver(
  ext: InExtensionPage,
  mailbox: Mailbox,
  mail: { from: PagePerson; to: PagePerson[]; cc?: PagePerson[]; subject: string; inReplyTo?: string },
  earlier: PageThread['messages'] = [],
): Promise<Delivered> {
  const peer = mailbox.provider === 'gmail' ? 'google' : 'microsoft';
  const body = { from: mail.from, to: mail.to, cc: mail.cc ?? [], subject: mail.subject, body: 'About the order.', ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}) };
  const { ids } = await admin.post<{ ids: string[] }>(`/${peer}/deliver`, body);
  const verdict = await until('the emulator\'s verdict', async () => (await admin.get<GroundTruth>('/ground-truth')).verdicts.find((v) => ids.includes(v.providerId)), 10_000);
  await call(ext, 'syncNow', { mailboxId: mailbox.id });
  const messages = [...earlier, { from: mail.from, to: mail.to, cc: mail.cc ?? [] }];
  const thread: PageThread = { id: verdict.threadId, subject: mail.subject, messages };
  const all = messages.flatMap((m) => [m.from, ...m.to, ...(m.cc ?? [])]);
  await until(
    'the engine to store the message',
    async () => {
      const view = await call<{ mailboxes: { mailboxId: string; messages: { providerId: string }[] }[] }>(ext, 'getThreadView', { provider: mailbox.provider, threadKey: verdict.threadId, participants: all });
      return view.mailboxes.some((m) => m.mailboxId === mailbox.id && m.messages.some((s) => s.providerId === verdict.providerId)) ? true : undefined;
    },
    60_000,
    500,
  );
  return { verdict, thread };
}

/** The CRM's email under `key`, once it is there. */
async function crmEmail(key: string, what: string) {
  return until(what, async () => (await crmEmails()).find((e) => e.message_id === key), 60_000, 500);
}

/** Serves Gmail at its real URL; `body()` is the page's body at the time of the request. */
async function serveGmail(context: BrowserContext, body: () => string): Promise<void> {
  await context.route('https://mail.google.com/**', (route) => route.fulfill({ contentType: 'text/html', body: gmailPage(body()) }));
}

/** The webmail turns to another view without a reload (webmail-spa.ts), here a page built around an emulator thread. */
async function navigate(page: Page, url: string, html: string): Promise<void> {
  await showFixture(page, { file: 'built', html, url, text: '', thread: null });
}

/** Serves Outlook on the web at its real URL; `body()` is the page's body at the time of the request. */
async function serveOutlook(context: BrowserContext, body: () => string): Promise<void> {
  await context.route('https://outlook.office.com/**', (route) => route.fulfill({ contentType: 'text/html', body: outlookPage(body()) }));
}

const MARKUP_SUBJECT = `<img src=x onerror="alert('subject')"> Renewal <script>alert('s')</script>`;
const MARKUP_NAME = `<b onmouseover="alert('name')">Nia</b><script>alert('n')</script>`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

test('Gmail: the matches agree with the CRM, page text is inert, the sidebar follows navigation; screenshots', async ({ context, extensionId }) => {
  const ext = await extensionPage(context, extensionId);
  const mailbox = await connect(ext, 'gmail', 'sales');
  const [dana] = await twoOutsideContacts();
  const policy = await admin.get<Policy>('/policy');
  const riley = { name: 'Riley', address: mailbox.address };
  const colleague = { name: 'Colin Colleague', address: `colin@${policy.workspaceDomains[0]}` };
  const nia = { name: MARKUP_NAME, address: `nia.${unique()}@prospect-${unique()}.test` };
  const matched = await deliver(ext, mailbox, { from: { name: dana.name, address: dana.email }, to: [riley], cc: [nia, colleague], subject: MARKUP_SUBJECT });
  const pushed = await crmEmail(matched.verdict.key, 'the matched thread in the CRM');
  const stranger = { name: 'Sam Stranger', address: `sam.${unique()}@unknown-${unique()}.test` };
  const unmatched = await deliver(ext, mailbox, { from: stranger, to: [riley], subject: `Question about pricing ${unique()}` });

  let body = gmailThreadBody(matched.thread);
  await serveGmail(context, () => body);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(gmailThreadUrl(matched.thread));
  const frame = await sidebarFrame(page, extensionId);
  const sidebar = frame.locator('aside.sidebar');

  // The matches shown are the CRM emulator's: Dana with her company and record, Nia not in it.
  await expect(sidebar.getByText(/^Logged to /)).toContainText(dana.name);
  const contacts = await crmContacts();
  const danaRow = sidebar.locator('li.person').filter({ hasText: dana.email });
  await expect(danaRow.locator('.person-name')).toHaveText(contacts.find((c) => c.email === dana.email)!.name);
  expect(dana.company, 'the seed contact has a company').not.toBeNull();
  await expect(danaRow.locator('.person-company')).toHaveText(dana.company!.name);
  const record = danaRow.getByRole('link', { name: /Open in CRM/ });
  await expect(record).toHaveCount(1);
  expect(new URL((await record.getAttribute('href'))!).origin).toBe(new URL(CRM_URL).origin);
  await expect(record).toHaveAttribute('rel', 'noopener noreferrer');
  // Dana's timeline lists what the CRM emulator holds for her: the email just pushed.
  expect(pushed.contact_ids).toContain(dana.id);
  await expect(danaRow.locator('.timeline-subject').first()).toHaveText(String(pushed.fields.subject));
  expect(contacts.some((c) => c.email === nia.address)).toBe(false);
  const niaRow = sidebar.locator('li.person').filter({ hasText: nia.address });
  await expect(niaRow).toContainText('Not in CRM');
  await expect(sidebar).toContainText('Not shown: 1 colleague, you');
  await expect(sidebar).not.toContainText(colleague.address);

  // Markup in the subject and in a name is text: shown as typed, no element made, no dialog.
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(MARKUP_SUBJECT);
  await expect(niaRow.locator('.person-name')).toHaveText(MARKUP_NAME);
  expect(await frame.locator('aside img, aside script, aside b').count()).toBe(0);
  await niaRow.locator('.person-name').hover();

  await snapBothThemes(page, 'sidebar-gmail-matched', sidebar);
  await snapBothThemes(page, 'sidebar-gmail-page');
  await expectFrameAccessible(page, frame);

  // Another thread: the sidebar follows the page without a reload.
  await navigate(page, gmailThreadUrl(unmatched.thread), gmailPage(gmailThreadBody(unmatched.thread)));
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(unmatched.thread.subject);
  await expect(sidebar.locator('.sync-state')).toHaveText('Not logged: no participant is a contact in the CRM');
  await expect(sidebar.locator('li.person').filter({ hasText: stranger.address })).toContainText('Not in CRM');
  await snapBothThemes(page, 'sidebar-gmail-unmatched', sidebar);
  await expectFrameAccessible(page, frame);

  // Collapsed to the thin tab, and expanded again.
  await sidebar.getByRole('button', { name: 'Hide the CRM sidebar' }).click();
  const tab = frame.getByRole('button', { name: /CRM/ });
  await expect(tab).toHaveAttribute('aria-expanded', 'false');
  await snapBothThemes(page, 'sidebar-gmail-collapsed', tab);
  await tab.click();
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(unmatched.thread.subject);

  // Back to the inbox: nothing shows; and into the first thread again.
  await navigate(page, GMAIL_INBOX_URL, gmailPage(gmailInboxBody([matched.thread, unmatched.thread])));
  await expect.poll(() => hostLayout(page)).toBe('hidden');
  await expect(frame.locator('aside.sidebar')).toBeHidden();
  body = gmailThreadBody(matched.thread);
  await navigate(page, gmailThreadUrl(matched.thread), gmailPage(body));
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(MARKUP_SUBJECT);
  expect(dialogs).toEqual([]);
});

test('Gmail: link, unlink, create contact and "don\'t sync" change what reaches the CRM', async ({ context, extensionId }) => {
  const ext = await extensionPage(context, extensionId);
  const mailbox = await connect(ext, 'gmail', 'sales');
  const [dana, lee] = await twoOutsideContacts();
  const riley = { name: 'Riley', address: mailbox.address };
  const danaP = { name: dana.name, address: dana.email };
  const first = await deliver(ext, mailbox, { from: danaP, to: [riley], subject: `Renewal ${unique()}` });
  expect((await crmEmail(first.verdict.key, 'the first message in the CRM')).contact_ids).toEqual([dana.id]);

  let body = gmailThreadBody(first.thread);
  await serveGmail(context, () => body);
  const page = await context.newPage();
  await page.goto(gmailThreadUrl(first.thread));
  const sidebar = (await sidebarFrame(page, extensionId)).locator('aside.sidebar');
  await expect(sidebar.getByText(/^Logged to /)).toContainText(dana.name);

  await seenLongEnough(page);
  // Link to contact: Lee, found in the mirror; a reply delivered afterwards goes to Dana and Lee.
  await sidebar.getByRole('textbox', { name: 'Link to contact' }).fill(lee.name);
  await sidebar.getByRole('button', { name: 'Search' }).click();
  await sidebar.getByRole('button', { name: `Link ${lee.name} to this thread` }).first().click();
  await expect(sidebar.getByText(`Linked: this thread is logged to ${lee.name} from now on.`)).toBeVisible();
  const reply = await deliver(ext, mailbox, { from: danaP, to: [riley], subject: `Re: ${first.thread.subject}`, inReplyTo: first.verdict.key }, first.thread.messages);
  expect(reply.verdict.threadId).toBe(first.verdict.threadId);
  await until('the reply in the CRM under Dana and Lee', async () => {
    const email = (await crmEmails()).find((e) => e.message_id === reply.verdict.key);
    return email && [...email.contact_ids].sort().join() === [dana.id, lee.id].sort().join() ? email : undefined;
  }, 60_000, 500);

  // Unlink Lee: the CRM no longer holds the thread under Lee.
  body = gmailThreadBody(reply.thread);
  await sidebar.getByRole('button', { name: `Unlink ${lee.name} from this thread` }).click();
  await expect(sidebar.getByText(`Unlinked: this thread is no longer logged to ${lee.name}.`)).toBeVisible();
  await until('Lee off the thread in the CRM', async () => {
    const held = (await crmEmails()).filter((e) => [first.verdict.key, reply.verdict.key].includes(e.message_id));
    return held.length === 2 && held.every((e) => !e.contact_ids.includes(lee.id)) ? true : undefined;
  }, 60_000, 500);

  // A page element laid over the sidebar (clickjacking) makes an action click do nothing, and the sidebar says why.
  const stateLine = sidebar.locator('.sync-state');
  const before = await stateLine.textContent();
  await page.evaluate(() => {
    const cover = document.createElement('div');
    cover.id = 'clickjack';
    cover.style.cssText = 'position:fixed;inset:0;z-index:2147483647;pointer-events:none;background:rgb(255 0 0 / 30%)';
    document.documentElement.append(cover);
  });
  await seenLongEnough(page);
  await sidebar.getByRole('button', { name: 'Don\'t sync this thread' }).click();
  await expect(sidebar.getByText('The page is covering the sidebar; move it away and try again.')).toBeVisible();
  await page.waitForTimeout(1_000);
  await expect(stateLine).toHaveText(before!);
  await expect(sidebar.getByRole('button', { name: 'Don\'t sync this thread' })).toBeVisible();
  await page.evaluate(() => document.getElementById('clickjack')!.remove());
  await seenLongEnough(page);

  // "Sync now": a sync of the mailbox is queued, and the sidebar says it started.
  const syncedBefore = (await jobs(ext)).jobs.find((j) => j.lane === mailbox.id && j.kind === 'incremental')?.updatedAt ?? 0;
  await sidebar.getByRole('button', { name: 'Sync now' }).click();
  await expect(sidebar.getByText('Sync started.')).toBeVisible();
  await expect(sidebar.getByText('The page is covering the sidebar; move it away and try again.')).toBeHidden();
  await until('the sync job the button queued', async () => ((await jobs(ext)).jobs.find((j) => j.lane === mailbox.id && j.kind === 'incremental' && j.updatedAt > syncedBefore) ? true : undefined), 30_000, 250);

  // "Don't sync": a reply delivered afterwards is not pushed.
  await sidebar.getByRole('button', { name: 'Don\'t sync this thread' }).click();
  await expect(sidebar.locator('.sync-state')).toHaveText('Not logged: you marked this thread "don\u2019t sync"');
  await expect(sidebar.getByRole('button', { name: 'Sync this thread again' })).toBeVisible();
  const ignored = await deliver(ext, mailbox, { from: danaP, to: [riley], subject: `Re: ${first.thread.subject}`, inReplyTo: reply.verdict.key }, reply.thread.messages);
  expect(ignored.verdict.threadId).toBe(first.verdict.threadId);
  await outboxSettled(ext);
  expect((await crmEmails()).some((e) => e.message_id === ignored.verdict.key)).toBe(false);

  // Create contact: a stranger's thread, skipped for want of a contact, reaches the CRM under the new contact.
  const stranger = { name: 'Quinn Newcomer', address: `quinn.${unique()}@newco-${unique()}.test` };
  const lone = await deliver(ext, mailbox, { from: stranger, to: [riley], subject: `Introduction ${unique()}` });
  body = gmailThreadBody(lone.thread);
  await navigate(page, gmailThreadUrl(lone.thread), gmailPage(body));
  const row = sidebar.locator('li.person').filter({ hasText: stranger.address });
  await row.getByRole('button', { name: `Create contact for ${stranger.address}` }).click();
  await expect(row.getByRole('textbox', { name: 'Name' })).toHaveValue(stranger.name);
  await expect(row.getByRole('textbox', { name: 'Email' })).toHaveValue(stranger.address);
  // A refusal shows on its field, before anything is sent.
  await row.getByRole('textbox', { name: 'Email' }).fill('not an address');
  await row.getByRole('button', { name: 'Create contact' }).click();
  await expect(row.getByText('Enter an email address.')).toBeVisible();
  await row.getByRole('textbox', { name: 'Email' }).fill(stranger.address);
  await row.getByRole('textbox', { name: 'Company (optional)' }).fill('NewCo');
  await row.getByRole('button', { name: 'Create contact' }).click();
  await expect(sidebar.getByText(/^Created Quinn Newcomer in the CRM/)).toBeVisible();
  const created = await until('the new contact in the CRM', async () => (await crmContacts()).find((c) => c.email === stranger.address), 30_000, 500);
  expect(created).toMatchObject({ name: stranger.name, company: { name: 'NewCo' } });
  expect((await crmEmail(lone.verdict.key, 'the stranger\'s past message in the CRM')).contact_ids).toEqual([created.id]);
  await expect(sidebar.getByText(/^Logged to Quinn Newcomer/)).toBeVisible({ timeout: 30_000 });
});

test('Gmail, personal mailbox: "Log this thread" pushes on purpose what the scope skipped (R5)', async ({ context, extensionId }) => {
  const ext = await extensionPage(context, extensionId);
  const mailbox = await connect(ext, 'gmail', 'personal');
  const [dana] = await twoOutsideContacts();
  const skipped = await deliver(ext, mailbox, { from: { name: dana.name, address: dana.email }, to: [{ name: 'Riley', address: mailbox.address }], subject: `Lunch and the renewal ${unique()}` });
  await outboxSettled(ext);
  expect((await crmEmails()).some((e) => e.message_id === skipped.verdict.key)).toBe(false);

  await serveGmail(context, () => gmailThreadBody(skipped.thread));
  const page = await context.newPage();
  await page.goto(gmailThreadUrl(skipped.thread));
  const sidebar = (await sidebarFrame(page, extensionId)).locator('aside.sidebar');
  await expect(sidebar.locator('.sync-state')).toHaveText('Not logged: the mailbox is personal (it would have matched a contact)');
  await seenLongEnough(page);
  await sidebar.getByRole('button', { name: 'Log this thread' }).click();
  expect((await crmEmail(skipped.verdict.key, 'the thread logged on purpose')).contact_ids).toEqual([dana.id]);
  await expect(sidebar.getByText(/^Logged to /)).toContainText(dana.name, { timeout: 30_000 });
});

test('Outlook: matched and unmatched conversations, collapsed, and back to the list; screenshots', async ({ context, extensionId }) => {
  const ext = await extensionPage(context, extensionId);
  const mailbox = await connect(ext, 'outlook', 'support');
  const [dana] = await twoOutsideContacts();
  const support = { name: 'Support', address: mailbox.address };
  const nia = { name: 'Nia Newcomer', address: `nia.${unique()}@prospect-${unique()}.test` };
  const matched = await deliver(ext, mailbox, { from: { name: dana.name, address: dana.email }, to: [support], cc: [nia], subject: `Order 4711 arrived damaged <b>${unique()}</b>` });
  await crmEmail(matched.verdict.key, 'the matched conversation in the CRM');
  const stranger = { name: 'Sam Stranger', address: `sam.${unique()}@unknown-${unique()}.test` };
  const unmatched = await deliver(ext, mailbox, { from: stranger, to: [support], subject: `Where is my invoice? ${unique()}` });

  await serveOutlook(context, () => outlookThreadBody(matched.thread, [unmatched.thread]));
  const page = await context.newPage();
  await page.goto(outlookThreadUrl(matched.verdict.providerId));
  const frame = await sidebarFrame(page, extensionId);
  const sidebar = frame.locator('aside.sidebar');
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(matched.thread.subject);
  await expect(sidebar.getByText(/^Logged to /)).toContainText(dana.name);
  const danaRow = sidebar.locator('li.person').filter({ hasText: dana.email });
  await expect(danaRow.locator('.person-name')).toHaveText((await crmContacts()).find((c) => c.email === dana.email)!.name);
  await expect(sidebar.locator('li.person').filter({ hasText: nia.address })).toContainText('Not in CRM');
  expect(await frame.locator('aside b').count()).toBe(0);
  await snapBothThemes(page, 'sidebar-outlook-matched', sidebar);
  await snapBothThemes(page, 'sidebar-outlook-page');
  await expectFrameAccessible(page, frame);

  await navigate(page, outlookThreadUrl(unmatched.verdict.providerId), outlookPage(outlookThreadBody(unmatched.thread, [matched.thread])));
  await expect(frame.locator('h1.sidebar-subject')).toHaveText(unmatched.thread.subject);
  await expect(sidebar.locator('.sync-state')).toHaveText('Not logged: no participant is a contact in the CRM');
  await snapBothThemes(page, 'sidebar-outlook-unmatched', sidebar);

  await sidebar.getByRole('button', { name: 'Hide the CRM sidebar' }).click();
  const tab = frame.getByRole('button', { name: /CRM/ });
  await expect(tab).toHaveAttribute('aria-expanded', 'false');
  await snapBothThemes(page, 'sidebar-outlook-collapsed', tab);
  await tab.click();

  await navigate(page, OUTLOOK_INBOX_URL, outlookPage(outlookInboxBody([matched.thread, unmatched.thread])));
  await expect.poll(() => hostLayout(page)).toBe('hidden');
  await expect(frame.locator('aside.sidebar')).toBeHidden();
});
