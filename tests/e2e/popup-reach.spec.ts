import type { BrowserContext, Page } from '@playwright/test';
import type { ContactSample, Job, Mailbox, ReviewPrompt } from '../../lib/domain';
import { admin, call, connectCrmWithPolicy, connectRileyAndCrm, CRM_URL, crmEmails, type InExtensionPage, jobs, playwrightPage, until } from './engine-steps';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothThemes } from './look';

/**
 * What the popup and the options page reach (issue 10 acceptance gaps): the review prompts and each
 * mailbox's checklist, history and details within two clicks of the popup (R33, R36), the
 * replacement test in the usual order (R35), backfill blocked in the error state, the CRM's uses
 * of a mailbox in its details, the contact record from the run review, and one owner rule. Each
 * test checks what the CRM emulator received where an action reaches it.
 */
const RILEY = 'riley@acme-sales.test';
const SUPPORT = 'support@acme-sales.test';

test.beforeEach(async () => {
  await admin.post('/reset', { seed: 1, size: 'demo' });
  await admin.put('/config', { consent: 'allow' });
});

async function openPage(context: BrowserContext, extensionId: string, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 600 });
  await page.goto(`chrome-extension://${extensionId}/${path}`);
  return page;
}

/** The CRM's mailbox records (R37), as the CRM admin lists them. */
async function crmMailboxes(): Promise<{ address: string; kind: string; owner: string | null }[]> {
  return (await admin.get<{ mailboxes: { address: string; kind: string; owner: string | null }[] }>('/crm/mailboxes')).mailboxes;
}

/** Writes fields of a mailbox row in the extension's IndexedDB, as the engine would have. */
async function setMailbox(page: InExtensionPage, id: string, fields: Partial<Mailbox>): Promise<void> {
  await page.evaluate(
    ({ id, fields }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('mailbox-crm');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('mailboxes', 'readwrite');
          const store = tx.objectStore('mailboxes');
          const get = store.get(id);
          get.onsuccess = () => store.put({ ...get.result, ...fields });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { id, fields },
  );
}

/** Clicks `button` in the popup and answers the options tab it opens, once loaded. */
async function opens(context: BrowserContext, click: () => Promise<void>): Promise<Page> {
  const [tab] = await Promise.all([context.waitForEvent('page'), click()]);
  await tab.waitForLoadState();
  return tab;
}

test('in the usual order, disconnect then connect: the popup shows the review prompt and leads to it, and to each card\'s checklist, history and details (R33, R35, R36)', async ({ context, extensionId }) => {
  test.setTimeout(120_000);
  const popup = await openPage(context, extensionId, 'popup.html');
  const page = playwrightPage(popup);
  // The CRM first, so that it keeps a record of each mailbox connected (R37).
  await connectCrmWithPolicy(page);
  const riley = (await call<Mailbox>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' })).id;
  await until('the CRM to hold riley', async () => ((await crmMailboxes()).some((m) => m.address === RILEY) ? true : undefined), 20_000);
  await call(page, 'disconnectMailbox', { id: riley });
  const support = await call<Mailbox>(page, 'connectMailbox', { provider: 'outlook', scope: 'support' });
  // The CRM saw the disconnect and the replacement.
  await until('the CRM to hold support only', async () => {
    const addresses = (await crmMailboxes()).map((m) => m.address);
    return addresses.includes(SUPPORT) && !addresses.includes(RILEY) ? true : undefined;
  }, 20_000);
  const prompts = (await call<{ prompts: ReviewPrompt[] }>(page, 'getReviewPrompts', {})).prompts;
  expect(prompts).toContainEqual(expect.objectContaining({ kind: 'replacement_test', mailboxId: support.id, action: 'send_test' }));

  await popup.reload();
  const notice = popup.getByRole('status').filter({ hasText: /mailbox reviews? needs? you/ });
  await expect(notice.getByRole('heading')).toHaveText(`${prompts.length} mailbox ${prompts.length === 1 ? 'review needs' : 'reviews need'} you`);
  await expectAccessible(popup);
  await snapBothThemes(popup, 'popup-reach');
  const reviews = await opens(context, () => notice.getByRole('button', { name: 'Review them' }).click());
  expect(new URL(reviews.url()).hash).toBe('#prompts');
  await expect(reviews.locator('#prompts').getByRole('listitem').filter({ hasText: `${RILEY} was disconnected` })).toContainText(SUPPORT);
  await expect(reviews.locator('#prompts').getByRole('listitem').filter({ hasText: `${RILEY} was disconnected` }).getByRole('button', { name: /send/i }).first()).toBeVisible();
  await reviews.close();

  const card = popup.getByRole('listitem', { name: `Outlook · ${SUPPORT}` });
  // A fresh personal mailbox: every item but the recovery note is open.
  const checklist = await opens(context, () => card.getByRole('button', { name: '6 checklist items open' }).click());
  expect(new URL(checklist.url()).hash).toBe('#checklist');
  await expect(checklist.locator('#checklist').getByRole('heading', { name: SUPPORT })).toBeVisible();
  await checklist.close();
  const history = await opens(context, () => card.getByRole('button', { name: 'History', exact: true }).click());
  expect(new URL(history.url()).hash).toBe('#history');
  await history.close();
  const details = await opens(context, () => card.getByRole('button', { name: 'Details', exact: true }).click());
  expect(new URL(details.url()).hash).toBe('#mailboxes');
  await expect(details.locator('#mailboxes').getByRole('heading', { name: SUPPORT })).toBeVisible();
});

test('a mailbox in the error state (transient failures exhausted) blocks Backfill until Sync now succeeds; nothing reaches the CRM meanwhile', async ({ context, extensionId }) => {
  test.setTimeout(120_000);
  const popup = await openPage(context, extensionId, 'popup.html');
  const page = playwrightPage(popup);
  const riley = await connectRileyAndCrm(page);
  const failed = { code: 'server', message: 'Gmail failed 4 times in a row.', action: 'retry', retryable: true, at: Date.now(), source: 'gmail', httpStatus: 500, retryAfterMs: null };
  await setMailbox(page, riley, { status: 'error', lastError: failed as Mailbox['lastError'] });

  await popup.reload();
  const card = popup.getByRole('listitem', { name: `Gmail · ${RILEY}` });
  const backfill = card.getByRole('button', { name: 'Backfill' });
  await expect(backfill).toBeDisabled();
  await expect(backfill).toHaveAccessibleDescription('Backfill is blocked. Run Sync now first; backfill once it succeeds.');
  // The engine refuses it too, whoever asks.
  await expect(call(page, 'backfill', { mailboxId: riley, days: 7 })).rejects.toThrow(/Run Sync now first; backfill once it succeeds/);
  expect(await crmEmails()).toEqual([]);

  await card.getByRole('button', { name: 'Sync now' }).click();
  await expect(backfill).toBeEnabled({ timeout: 30_000 });
  await until('the sync to end', async () => ((await jobs(page)).jobs.some((j) => j.lane === riley && ['queued', 'running', 'waiting'].includes(j.status)) ? undefined : true), 60_000);
  const { job } = await call<{ job: Job }>(page, 'backfill', { mailboxId: riley, days: 7 });
  await until('the backfill to finish', async () => ((await jobs(page)).jobs.find((j) => j.id === job.id)?.status === 'done' ? true : undefined), 90_000);
  await until('the CRM to receive the backfill', async () => ((await crmEmails()).length > 0 ? true : undefined), 60_000, 500);
});

test('mailbox details list the CRM templates and workflows that use the mailbox with the caution, and refuse an owner written as a name, as the popup does (seed, R6)', async ({ context, extensionId }) => {
  test.setTimeout(120_000);
  const options = await openPage(context, extensionId, 'options.html');
  const page = playwrightPage(options);
  await connectCrmWithPolicy(page);
  await call(page, 'connectMailbox', { provider: 'outlook', scope: 'support' });
  await options.setViewportSize({ width: 1000, height: 900 });
  await options.reload();
  const details = options.locator('#mailbox-0');
  const uses = details.getByRole('region', { name: `Used in the CRM: ${SUPPORT}` });
  await expect(uses.getByRole('list', { name: `CRM workflows using ${SUPPORT}` }).getByRole('listitem')).toHaveText(['Workflow: Auto-reply to new support requests', 'Workflow: Escalate unanswered mail after 24 h']);
  await expect(uses.getByRole('list', { name: `CRM templates using ${SUPPORT}` }).getByRole('listitem')).toHaveText([/^Template: .*first response$/]);
  await expect(uses).toContainText('Review this mailbox before you change these templates or the sender instructions customers follow');
  await expectAccessible(options, '#mailboxes');

  const owner = details.getByLabel('Owner');
  await details.getByRole('radio', { name: 'Shared' }).check();
  await owner.fill('Sam Lead');
  await details.getByLabel('Recovery note').fill('In the team vault.');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(owner).toHaveAttribute('aria-invalid', 'true');
  await expect(owner).toHaveAccessibleDescription(/Enter the owner's email address/);
  expect((await crmMailboxes()).find((m) => m.address === SUPPORT)?.kind).toBe('personal');

  // The popup's connect form: the same rule, on the same field; nothing is connected.
  const popup = await openPage(context, extensionId, 'popup.html');
  await popup.getByRole('radio', { name: 'Shared' }).check();
  await popup.getByLabel('Owner').fill('Sam Lead');
  await popup.getByLabel('Recovery note').fill('In the team vault.');
  await popup.getByRole('button', { name: 'Connect Gmail' }).click();
  await expect(popup.getByLabel('Owner')).toHaveAccessibleDescription(/Enter the owner's email address/);
  expect((await crmMailboxes()).map((m) => m.address)).toEqual([SUPPORT]);
});

test('the run review links each contact\'s record in the CRM, on the CRM origin, in a new tab without referrer (seed)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const options = await openPage(context, extensionId, 'options.html');
  const page = playwrightPage(options);
  const mailboxId = await connectRileyAndCrm(page);
  const { job } = await call<{ job: Job }>(page, 'backfill', { mailboxId, days: 14 });
  const done = await until('the backfill to finish', async () => {
    const now = (await jobs(page)).jobs.find((j) => j.id === job.id);
    return now?.status === 'done' ? now : undefined;
  }, 90_000);
  await until('the CRM to receive the backfill', async () => ((await crmEmails()).length > 0 ? true : undefined), 60_000, 500);
  const sample = (await call<{ contacts: ContactSample[] }>(page, 'getRunSample', { runId: done.runId!, perContact: 5 })).contacts;
  const contact = sample.find((c) => c.contact.url !== null && c.contact.name !== null)!;
  expect(contact).toBeDefined();

  await options.setViewportSize({ width: 1000, height: 900 });
  // A fresh load: the history read before the backfill would not list it.
  await options.goto('about:blank');
  await options.goto(`chrome-extension://${extensionId}/options.html#history`);
  const history = options.locator('#history');
  await history.getByRole('button', { name: /^Review the backfill of / }).click();
  const link = history.getByRole('link', { name: `Open contact record of ${contact.contact.name} in the CRM (new tab)` });
  await expect(link).toHaveAttribute('href', contact.contact.url!);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noreferrer');
  expect(new URL(contact.contact.url!).origin).toBe(CRM_URL);
  // The CRM knows that record: the link leads to the contact the email was logged on.
  const logged = (await crmEmails()).filter((e) => e.contact_ids.includes(contact.contact.id));
  expect(logged.length).toBeGreaterThan(0);
});
