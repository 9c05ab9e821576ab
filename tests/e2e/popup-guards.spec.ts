import type { BrowserContext, Page } from '@playwright/test';
import type { Job, Mailbox } from '../../lib/domain';
import { crmMismatches } from '../support/crm-expectations';
import { emulatorAdmin } from '../support/emulator-admin';
import { admin, call, connectRileyAndCrm, CRM_URL, crmEmails, DAY_MS, jobs, markMatchingVerified, outboxSettled, outsideCrmContact, playwrightPage, rileyTruth, until } from './engine-steps';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothThemes } from './look';

/**
 * The guards around a running job and around what the CRM may receive (issue 10): "Cancel" in the
 * popup, each mailbox's visibility in the options page, and the CRM form before any connection.
 * Each is checked at the CRM emulator, not only on the page.
 */
const RILEY = 'riley@acme-sales.test';
/** The cancelled backfill's window: about 2,200 of riley's messages in the 10k world. */
const DAYS = 180;
const CONTENT_FIELDS = ['subject', 'snippet', 'body'];
/** The CRM server's own admin API: its request log holds the CRM's requests only. */
const crmAdmin = emulatorAdmin(CRM_URL);

test.afterEach(async () => {
  await admin.delete('/faults');
  await admin.post('/reset', { seed: 1, size: 'demo' });
});

async function openPage(context: BrowserContext, extensionId: string, file: 'popup.html' | 'options.html'): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(`chrome-extension://${extensionId}/${file}`);
  return tab;
}

/** The content fields (beyond metadata) an email the CRM holds carries. */
function contentFields(fields: Record<string, unknown>): string[] {
  return CONTENT_FIELDS.filter((f) => fields[f] !== undefined && fields[f] !== null);
}

test('"Cancel" in the popup stops a running backfill: the job ends cancelled, the CRM stops receiving, and what it received is right (R10)', async ({ context, extensionId }) => {
  test.setTimeout(240_000);
  await admin.post('/reset', { seed: 1, size: '10k' });
  const popup = await openPage(context, extensionId, 'popup.html');
  const page = playwrightPage(popup);
  const mailboxId = await connectRileyAndCrm(page);
  await markMatchingVerified(page, mailboxId);
  const pushedBefore = (await crmEmails()).length;
  // Slow Gmail's batched message reads (how a backfill reads its pages), so the backfill of about
  // 2,200 messages takes well over a minute and is caught running.
  await admin.fault({ service: 'google', method: 'POST', path: '^/batch', delayMs: 1500, count: 100_000 });
  const since = Date.now() - DAYS * DAY_MS;
  const { job } = await call<{ job: Job }>(page, 'backfill', { mailboxId, days: DAYS, confirmed: true });
  await popup.reload();

  const gmail = popup.getByRole('listitem', { name: `Gmail · ${RILEY}` });
  const bar = gmail.getByRole('progressbar', { name: `Backfill of the last ${DAYS} days` });
  await expect(bar).toBeVisible();
  // Cancelled once its first pushes reached the CRM, so a stop short of the whole is told apart.
  await until('the backfill to push to the CRM', async () => ((await crmEmails()).length > pushedBefore ? true : undefined), 120_000, 500);
  expect((await jobs(page)).jobs.find((j) => j.id === job.id)?.status).toBe('running');
  await gmail.getByRole('button', { name: 'Cancel' }).click();
  await expect(bar).toHaveCount(0);
  await until('the backfill to be cancelled', async () => ((await jobs(page)).jobs.find((j) => j.id === job.id)?.status === 'cancelled' ? true : undefined), 30_000);

  // Once the outbox has answered what it took, nothing more arrives at the CRM.
  await admin.delete('/faults');
  await outboxSettled(page);
  const first = (await crmEmails()).length;
  await popup.waitForTimeout(5000);
  const held = await crmEmails();
  expect(held).toHaveLength(first);
  // What arrived is a part of the ground truth, each email right, and not all of it: the backfill stopped short.
  const truth = await rileyTruth(since);
  const { extra, wrong, missing } = crmMismatches(held, truth.crmEmails);
  expect({ extra, wrong }).toEqual({ extra: [], wrong: [] });
  expect(missing.length).toBeGreaterThan(0);
  expect(held.length).toBeLessThan(truth.crmEmails.length);
});

test('a mailbox set to "metadata only" in the privacy rules sends the CRM no subject, snippet or body; "subject and snippet" then sends both (R22)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const tab = await openPage(context, extensionId, 'options.html');
  const page = playwrightPage(tab);
  const mailboxId = await connectRileyAndCrm(page);
  await tab.reload();
  const visibility = tab.locator('#privacy').getByRole('form', { name: `What the CRM receives from ${RILEY}` });

  await visibility.getByRole('radio', { name: 'Metadata only (who, when)' }).check();
  await visibility.getByRole('button', { name: 'Save visibility' }).click();
  await expect(visibility.getByRole('status')).toHaveText(/^Visibility saved\./);
  expect((await call<{ mailboxes: Mailbox[] }>(page, 'getOverview', {})).mailboxes.find((m) => m.id === mailboxId)?.visibility).toBe('metadata');
  // The ground truth assumes the same visibility for riley.
  await admin.put('/policy', { mailboxes: { riley: { visibility: 'metadata' } } });

  const since = Date.now() - 14 * DAY_MS;
  const { job } = await call<{ job: Job }>(page, 'backfill', { mailboxId, days: 14 });
  await until('the backfill to finish', async () => ((await jobs(page)).jobs.find((j) => j.id === job.id)?.status === 'done' ? true : undefined), 90_000);
  await outboxSettled(page);
  const truth = await rileyTruth(since);
  expect(truth.crmEmails.length).toBeGreaterThan(0);
  expect(truth.crmEmails.every((e) => e.visibility === 'metadata')).toBe(true);
  const metadataOnly = await crmEmails();
  expect(crmMismatches(metadataOnly, truth.crmEmails)).toEqual({ missing: [], extra: [], wrong: [] });
  expect(metadataOnly.flatMap((e) => contentFields(e.fields))).toEqual([]);

  // "Subject and snippet": a customer email synced from now on carries both.
  await visibility.getByRole('radio', { name: 'Subject and snippet' }).check();
  await visibility.getByRole('button', { name: 'Save visibility' }).click();
  await expect(visibility.getByRole('status')).toHaveText(/^Visibility saved\./);
  await admin.put('/policy', { mailboxes: { riley: { visibility: 'snippet' } } });
  const contact = await outsideCrmContact();
  const subject = `Pricing for next year ${Date.now().toString(36)}`;
  const delivered = await admin.post<{ id: string }>('/google/deliver', { from: { name: contact.name, address: contact.email }, to: RILEY, subject, body: 'Could you send the new price list before Friday?' });
  const key = (await rileyTruth(Date.now() - DAY_MS)).verdicts.find((v) => v.providerId === delivered.id)!.key;
  await call(page, 'syncNow', { mailboxId });
  const logged = await until('the CRM to receive the new email', async () => (await crmEmails()).find((e) => e.message_id === key), 60_000, 500);
  expect(logged.fields.subject).toBe(subject);
  expect(logged.fields.snippet).toEqual(expect.stringContaining('Could you send the new price list'));
  expect(logged.fields.body ?? null).toBeNull();
  expect(logged.contact_ids).toEqual([contact.id]);
  // The earlier emails were not rewritten with content they were logged without.
  const after = await crmEmails();
  expect(after.filter((e) => e.message_id !== key).flatMap((e) => contentFields(e.fields))).toEqual([]);
});

test('the CRM connection form before any connection is readable in both themes and accessible, and asks nothing of the CRM', async ({ context, extensionId }) => {
  const asked = (await crmAdmin.requests()).length;
  const tab = await openPage(context, extensionId, 'options.html');
  const crm = tab.locator('#crm');
  const form = crm.getByRole('form', { name: 'Connect the CRM' });
  await expect(form.getByLabel('CRM address')).toBeVisible();
  await expect(crm.getByRole('button', { name: 'Test connection' })).toHaveCount(0);
  await snapBothThemes(tab, 'options-crm-empty', '#crm');
  await expectAccessible(tab, '#crm');
  expect(await crmAdmin.requests()).toHaveLength(asked);
  expect(await crmEmails()).toEqual([]);
});

test('expectAccessible fails when a serious violation appears: an image without alt text in the CRM section', async ({ context, extensionId }) => {
  const tab = await openPage(context, extensionId, 'options.html');
  await expect(tab.locator('#crm')).toBeVisible();
  await expectAccessible(tab, '#crm');
  await tab.evaluate(() => {
    const img = document.createElement('img');
    img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    img.width = 10;
    img.height = 10;
    document.querySelector('#crm')!.append(img);
  });
  await expect(expectAccessible(tab, '#crm')).rejects.toThrow(/image-alt \(critical\)/);
});
