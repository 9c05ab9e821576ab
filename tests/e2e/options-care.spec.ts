import type { BrowserContext, Locator, Page } from '@playwright/test';
import type { ContactSample, Job, Mailbox } from '../../lib/domain';
import { crmMismatches } from '../support/crm-expectations';
import { emulatorAdmin } from '../support/emulator-admin';
import { admin, call, connectRileyAndCrm, CRM_URL, crmEmails, DAY_MS, jobs, outboxSettled, outsideCrmContact, playwrightPage, rileyTruth, until } from './engine-steps';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothThemes } from './look';

/**
 * The options page's long forms (issue 10, item 2) against the emulators: set up through the
 * protocol, driven through the page by role and accessible name, and checked at the CRM.
 */
const RILEY = 'riley@acme-sales.test';
/** The CRM server's own admin API: its request log holds the CRM's requests only. */
const crmAdmin = emulatorAdmin(CRM_URL);

test.afterEach(async () => {
  await admin.post('/reset', { seed: 1, size: 'demo' });
});

async function openOptions(context: BrowserContext, extensionId: string): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(`chrome-extension://${extensionId}/options.html`);
  return tab;
}

/** Connects riley and the CRM, backfills `days` and waits until the CRM holds what the ground truth says. */
async function backfillRiley(tab: Page, days: number): Promise<{ mailboxId: string; runId: string; keys: string[] }> {
  const page = playwrightPage(tab);
  const mailboxId = await connectRileyAndCrm(page);
  const since = Date.now() - days * DAY_MS;
  const { job } = await call<{ job: Job }>(page, 'backfill', { mailboxId, days });
  const done = await until(
    'the backfill to finish',
    async () => {
      const now = (await jobs(page)).jobs.find((j) => j.id === job.id);
      expect(now?.status).not.toBe('failed');
      return now?.status === 'done' ? now : undefined;
    },
    90_000,
  );
  const truth = await rileyTruth(since);
  expect(truth.crmEmails.length).toBeGreaterThan(0);
  await until('the outbox to drain', async () => ((await crmEmails()).length >= truth.crmEmails.length ? true : undefined), 60_000, 500);
  expect(crmMismatches(await crmEmails(), truth.crmEmails)).toEqual({ missing: [], extra: [], wrong: [] });
  return { mailboxId, runId: done.runId!, keys: truth.crmEmails.map((e) => e.key) };
}

/** The checklist row of one item, in the mailbox's part of the checklist. */
function checklistRow(tab: Page, label: string): Locator {
  return tab.locator('#checklist').getByRole('listitem').filter({ hasText: label });
}

test('a test email from the checklist to a safe contact ticks "test send", then "test receive" once sync brings it back, and the CRM logs it on that contact (R31, R32)', async ({ context, extensionId }) => {
  test.setTimeout(120_000);
  const tab = await openOptions(context, extensionId);
  await connectRileyAndCrm(playwrightPage(tab));
  await tab.reload();

  // The privacy rules say a wrong entry on its own field; a right one is saved.
  const privacy = tab.locator('#privacy');
  const blockedDomains = privacy.getByLabel('Blocked domains');
  const kept = await blockedDomains.inputValue();
  await blockedDomains.fill(`${kept}\nnot a domain`);
  await privacy.getByRole('button', { name: 'Save privacy rules' }).click();
  await expect(blockedDomains).toHaveAttribute('aria-invalid', 'true');
  await expect(blockedDomains).toHaveAccessibleDescription(/“not a domain” is not a domain\./);
  await blockedDomains.fill(`${kept}\nRival.example`);
  await privacy.getByRole('button', { name: 'Save privacy rules' }).click();
  await expect(privacy.getByText('Privacy rules saved.', { exact: false })).toBeVisible();
  await expect(blockedDomains).toHaveValue(`${kept}\nrival.example`);
  expect((await call<{ blockedDomains: string[] }>(playwrightPage(tab), 'getPrivacyRules', {})).blockedDomains).toContain('rival.example');

  const checklist = tab.locator('#checklist');
  const address = checklist.getByLabel('Safe address for a test email');
  await expect(checklistRow(tab, 'Test email sent')).toContainText('Open');
  // A wrong address is said on the field, and nothing is sent.
  await address.fill('not-an-address');
  await checklist.getByRole('button', { name: 'Send test email' }).click();
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await expect(address).toHaveAccessibleDescription(/Enter a full email address/);
  expect(await admin.requests(/\/messages\/send$/)).toEqual([]);

  // The seed: test with a safe contact, then open the related contact record. The CRM's record of
  // that contact must end up holding the test email, as the ground truth says.
  const contact = await outsideCrmContact();
  const safe = contact.email;
  await address.fill(safe);
  await checklist.getByRole('button', { name: 'Send test email' }).click();
  await expect(address).not.toHaveAttribute('aria-invalid', 'true');
  await expect(checklistRow(tab, 'Test email sent')).toContainText('Done');
  await expect(checklist.getByText(`Sent to ${safe}`)).toContainText('Watching for it to come back through sync');
  expect(await admin.requests(/\/messages\/send$/)).toHaveLength(1);
  // The incremental sync (every 30 s) brings the Sent copy back; the page polls the overview meanwhile.
  await expect(checklistRow(tab, 'Test email came back through sync')).toContainText('Done', { timeout: 90_000 });
  await expect(checklist.getByText(`Sent to ${safe}`)).toContainText('came back through sync');

  // Once the outbox has answered every push, the CRM holds exactly what the ground truth says
  // since the send: the test email, once, on the contact it went to.
  const overview = await call<{ mailboxes: Mailbox[] }>(playwrightPage(tab), 'getOverview', {});
  const sent = overview.mailboxes[0]!.testEmail!;
  expect(sent.receivedAt).not.toBeNull();
  await outboxSettled(playwrightPage(tab));
  const truth = await rileyTruth(sent.sentAt - 1000);
  const verdict = truth.verdicts.find((v) => v.providerId === sent.providerId);
  expect(verdict).toMatchObject({ push: true, reason: null, contactIds: [contact.id] });
  expect(crmMismatches(await crmEmails(), truth.crmEmails)).toEqual({ missing: [], extra: [], wrong: [] });
  const logged = (await crmEmails()).find((e) => e.message_id === verdict!.key);
  expect(logged?.contact_ids).toEqual([contact.id]);
  expect(logged?.fields.subject).toBe(sent.subject);

  // "Test connection" says who the CRM's GET /me answers for this connection.
  const crm = tab.locator('#crm');
  const meBefore = (await crmAdmin.requests(/\/me$/)).length;
  await crm.getByRole('button', { name: 'Test connection' }).click();
  await expect(crm.getByRole('status')).toHaveText(/^The CRM at http:\/\/127\.0\.0\.1:\d+ says you are .+ \(.+@.+\)\.$/);
  expect((await crmAdmin.requests(/\/me$/)).slice(meBefore).map((r) => r.status)).toEqual([200]);

  // The labels riley's sync reads: restricted to some, or (null) all mail but the excluded.
  const synced = privacy.getByRole('form', { name: `Mail that syncs from ${RILEY}` });
  await synced.getByRole('radio', { name: 'Only the labels chosen below' }).check();
  await synced.getByRole('button', { name: 'Save synced labels' }).click();
  await expect(synced.getByRole('group', { name: 'Labels' })).toHaveAccessibleDescription('Choose at least one label or folder, or sync all mail.');
  await synced.getByLabel('Inbox', { exact: true }).check();
  await synced.getByLabel('Sent', { exact: true }).check();
  await synced.getByRole('button', { name: 'Save synced labels' }).click();
  await expect(synced.getByRole('status')).toHaveText(/^Saved\./);
  expect((await call<{ mailboxes: Mailbox[] }>(playwrightPage(tab), 'getOverview', {})).mailboxes[0]!.syncOnly).toEqual(['INBOX', 'SENT']);

  for (const section of ['crm', 'privacy', 'mailboxes', 'checklist'] as const) {
    await expectAccessible(tab, `#${section}`);
    await snapBothThemes(tab, `options-${section}`, `#${section}`);
  }
});

test('"Wrong contact" in the review of a backfill unlinks that email from the contact in the CRM (R24)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const tab = await openOptions(context, extensionId);
  const { runId } = await backfillRiley(tab, 14);
  const sample = (await call<{ contacts: ContactSample[] }>(playwrightPage(tab), 'getRunSample', { runId, perContact: 5 })).contacts;
  // A message the page names alone: its subject is once in its contact's sample.
  const named = (c: ContactSample) => c.messages.find((m) => m.crmEmailId !== null && m.subject !== null && c.messages.filter((o) => o.subject === m.subject).length === 1);
  const contact = sample.find((c) => named(c) !== undefined)!;
  const message = named(contact)!;
  const before = (await crmEmails()).find((e) => e.id === message.crmEmailId)!;
  expect(before.contact_ids).toContain(contact.contact.id);

  // Opened at its section, as a review prompt or a bookmark does: the page scrolls there.
  await tab.goto('about:blank');
  await tab.goto(`chrome-extension://${extensionId}/options.html#history`);
  const history = tab.locator('#history');
  await expect(history.getByRole('heading', { name: 'Sync history' })).toBeInViewport();
  await history.getByRole('button', { name: /^Review the backfill of / }).click();
  const review = history.getByRole('region', { name: /^Review of the backfill of / });
  await expect(review.getByText(contact.contact.name!, { exact: false }).first()).toBeVisible();
  await expectAccessible(tab, '#history');
  await snapBothThemes(tab, 'options-history', '#history');

  await review.getByRole('button', { name: `Wrong contact: "${message.subject}" is not ${contact.contact.name}'s` }).click();
  await expect(review.getByRole('status').filter({ hasText: 'no longer under' })).toHaveText(`"${message.subject}" and the rest of its thread are no longer under ${contact.contact.name} in the CRM.`);

  await expect(review.getByRole('button', { name: `Wrong contact: "${message.subject}" is not ${contact.contact.name}'s` })).toHaveCount(0);

  // The CRM's email no longer lists the contact (and keeps any other it had).
  const after = (await crmEmails()).find((e) => e.message_id === before.message_id);
  const others = before.contact_ids.filter((id) => id !== contact.contact.id);
  if (others.length > 0) expect(after?.contact_ids).toEqual(others);
  expect(after?.contact_ids ?? []).not.toContain(contact.contact.id);

  // "Looks right" ticks the two review items of the checklist.
  await review.getByRole('button', { name: 'Looks right' }).click();
  await expect(review.getByText('Reviewed: "timeline reviewed" and "matching verified" are ticked.')).toBeVisible();
  await expect(checklistRow(tab, 'A contact timeline reviewed after sync')).toContainText('Done');
  await expect(checklistRow(tab, 'Matching verified')).toContainText('Done');
});

test('"Undo" of a backfill run, confirmed, removes that run\'s emails from the CRM (R18)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const tab = await openOptions(context, extensionId);
  const { keys } = await backfillRiley(tab, 14);
  await tab.reload();

  const history = tab.locator('#history');
  await history.getByRole('button', { name: /^Undo the backfill of / }).click();
  const confirm = history.getByRole('group', { name: /^Confirm undoing the backfill of / });
  await expect(confirm).toContainText(`Remove from the CRM the ${keys.length} emails this backfill logged?`);
  await confirm.getByRole('button', { name: 'Remove them from the CRM' }).click();
  await expect(history.getByText(/^Removed from the CRM /)).toBeVisible({ timeout: 60_000 });
  await expect(history.getByRole('row').filter({ hasText: 'Backfill' })).toContainText('Undone');
  await expect(history.getByRole('button', { name: /^Undo the backfill of / })).toHaveCount(0);

  const held = new Set((await crmEmails()).map((e) => e.message_id));
  expect(keys.filter((key) => held.has(key))).toEqual([]);
});

test('"Why wasn\'t this logged?" explains an internal-only message and a newsletter, which the CRM never received (R17, R21a)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const tag = Date.now().toString(36);
  const internal = await admin.post<{ id: string }>('/google/deliver', { from: 'sam@acme-sales.test', to: RILEY, subject: `Team offsite ${tag}`, body: 'Agenda attached.' });
  const newsletterFrom = `weekly-${tag}@news.example.test`;
  const newsletter = await admin.post<{ id: string }>('/google/deliver', {
    from: { name: 'Weekly digest', address: newsletterFrom },
    to: RILEY,
    subject: `The weekly digest ${tag}`,
    body: 'This week in sales.',
    headers: [['List-Unsubscribe', `<mailto:unsubscribe@news.example.test>`], ['List-Id', '<weekly.news.example.test>']],
  });
  const truth = await rileyTruth(Date.now() - DAY_MS);
  const verdict = (id: string) => truth.verdicts.find((v) => v.providerId === id)!;
  expect(verdict(internal.id)).toMatchObject({ push: false, reason: 'internal_only' });
  expect(verdict(newsletter.id)).toMatchObject({ push: false, reason: 'bulk' });

  const tab = await openOptions(context, extensionId);
  await backfillRiley(tab, 14);
  await tab.reload();
  const lookup = tab.getByRole('form', { name: 'Find a message' });
  const results = tab.getByRole('status', { name: 'Lookup results' });

  await lookup.getByLabel('Subject or address').fill('x');
  await lookup.getByRole('button', { name: 'Look up' }).click();
  await expect(lookup.getByLabel('Subject or address')).toHaveAttribute('aria-invalid', 'true');

  await lookup.getByLabel('Subject or address').fill(`Team offsite ${tag}`);
  await lookup.getByRole('button', { name: 'Look up' }).click();
  await expect(results.getByRole('listitem')).toHaveCount(1);
  await expect(results.getByRole('listitem')).toContainText('Not logged: every participant is internal');

  await lookup.getByLabel('Subject or address').fill(newsletterFrom);
  await lookup.getByRole('button', { name: 'Look up' }).click();
  await expect(results.getByRole('listitem')).toHaveCount(1);
  await expect(results.getByRole('listitem')).toContainText(`The weekly digest ${tag}`);
  await expect(results.getByRole('listitem')).toContainText('Not logged: a newsletter or bulk mail');

  const held = new Set((await crmEmails()).map((e) => e.message_id));
  expect([verdict(internal.id).key, verdict(newsletter.id).key].filter((key) => held.has(key))).toEqual([]);
});

test('mailbox details: a shared mailbox needs an owner and a recovery note, each said on its field; saved, the CRM\'s record follows and the owner change raises review prompts that lead back and can be dismissed (R6, R7, R33)', async ({ context, extensionId }) => {
  const tab = await openOptions(context, extensionId);
  await connectRileyAndCrm(playwrightPage(tab));
  await tab.reload();
  const details = tab.locator('#mailbox-0');
  const owner = details.getByLabel('Owner');
  const note = details.getByLabel('Recovery note');

  await details.getByRole('radio', { name: 'Shared' }).check();
  await owner.fill(' ');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(owner).toHaveAttribute('aria-invalid', 'true');
  await expect(owner).toHaveAccessibleDescription(/A shared mailbox needs an owner/);
  await expect(note).toHaveAttribute('aria-invalid', 'true');
  await expect(note).toHaveAccessibleDescription(/A shared mailbox needs a recovery note/);
  expect((await crmMailbox())?.kind).not.toBe('shared');

  await owner.fill('dana@acme-sales.test');
  await note.fill('IT keeps the recovery codes in the team vault.');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(details.getByText('Details saved.')).toBeVisible();
  await expect(owner).not.toHaveAttribute('aria-invalid', 'true');
  expect(await crmMailbox()).toMatchObject({ kind: 'shared', owner: 'dana@acme-sales.test', recovery_note: 'IT keeps the recovery codes in the team vault.' });

  // The sender identity read from the provider, confirmed by hand (customer-facing scope).
  await expect(details.getByText('Customers see this sender')).toBeVisible();
  await details.getByRole('button', { name: 'Confirm sender' }).click();
  await expect(details.getByText('Sender verified')).toBeVisible();
  await expect(checklistRow(tab, 'Sender name and reply address verified')).toContainText('Done');

  // The owner is someone else than the signed-in account: a prompt leads back to the details.
  const prompts = tab.locator('#prompts');
  const prompt = prompts.getByRole('listitem').filter({ hasText: 'The signed-in account differs from the owner' });
  await expect(prompt).toContainText('its owner is dana@acme-sales.test');
  await expectAccessible(tab, '#prompts');
  await snapBothThemes(tab, 'options-prompts', '#prompts');
  await prompt.getByRole('button', { name: 'Review the owner' }).click();
  await expect(details).toBeFocused();
  await expect(details).toBeInViewport();
  await prompt.getByRole('button', { name: /^Dismiss/ }).click();
  await expect(prompt).toHaveCount(0);
  await tab.reload();
  await expect(tab.locator('#prompts').getByRole('listitem').filter({ hasText: 'The signed-in account differs from the owner' })).toHaveCount(0);
});

/** The CRM's record of riley's mailbox (R37 `PUT /mailboxes/{address}`), as the CRM admin lists it. */
async function crmMailbox(): Promise<Record<string, unknown> | undefined> {
  return (await admin.get<{ mailboxes: { address: string }[] }>('/crm/mailboxes')).mailboxes.find((m) => m.address.toLowerCase() === RILEY);
}
