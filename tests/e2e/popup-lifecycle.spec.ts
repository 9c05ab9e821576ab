import type { BrowserContext, Locator, Page } from '@playwright/test';
import type { Mailbox } from '../../lib/domain';
import { crmMismatches, readGroundTruth } from '../support/crm-expectations';
import { admin, call, connectCrmWithPolicy, CRM_URL, crmEmails, DAY_MS, jobs, markMatchingVerified, playwrightPage, rileyTruth, until } from './engine-steps';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothThemes } from './look';

/**
 * The popup's whole mailbox lifecycle (issue 10 §1, §3), driven by role and accessible name:
 * connect, preview and backfill with live progress, "Sync now", a provider error that blocks the
 * backfill until "Reconnect", and disconnect with what relies on the mailbox. Each test checks
 * what the CRM emulator received, not only what the page shows.
 */
const RILEY = 'riley@acme-sales.test';
const SUPPORT = 'support@acme-sales.test';
const RILEY_CARD = `Gmail · ${RILEY}`;
const SUPPORT_CARD = `Outlook · ${SUPPORT}`;

/** The CRM record of a mailbox, as `GET /__admin/crm/mailboxes` lists it. */
interface CrmMailbox {
  address: string;
  purpose: string;
  kind: string;
  owner: string | null;
  recovery_note: string | null;
}

test.beforeEach(async () => {
  await admin.post('/reset', { seed: 1, size: 'demo' });
  await admin.put('/config', { consent: 'allow' });
});

async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 360, height: 600 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByRole('button', { name: 'Connect Gmail' })).toBeVisible();
  return popup;
}

/** A mailbox's card in the popup, by its accessible name. */
function card(popup: Page, name: string): Locator {
  return popup.getByRole('listitem', { name });
}

/** The mailboxes as the background keeps them. */
async function mailboxes(popup: Page): Promise<Mailbox[]> {
  return (await call<{ mailboxes: Mailbox[] }>(playwrightPage(popup), 'getOverview', {})).mailboxes;
}

/** Waits until no job of the lane (a mailbox id, or `crm`) is open any more (the engine's own view). */
async function settled(popup: Page, lane: string): Promise<void> {
  await until(
    `the jobs of ${lane} to end`,
    async () => ((await jobs(playwrightPage(popup))).jobs.some((j) => j.lane === lane && ['queued', 'running', 'waiting'].includes(j.status)) ? undefined : true),
    60_000,
  );
}

/** A CRM contact's address, from the CRM's own API: mail from it is customer mail the product pushes. */
async function contactAddress(): Promise<string> {
  const response = await fetch(`${CRM_URL}/public/v1/contacts?per_page=50`, { headers: { authorization: 'Bearer crm_pat_demo' } });
  const contacts = ((await response.json()) as { data: { email: string | null }[] }).data;
  return contacts.find((c) => c.email && !c.email.endsWith('brightline-legal.test'))!.email!;
}

/** Waits until the CRM holds exactly what the ground truth expects of riley's mail since `since`. */
async function expectCrmHoldsRileyTruth(since: number): Promise<void> {
  await expect
    .poll(async () => crmMismatches(await crmEmails(), (await rileyTruth(since)).crmEmails), { timeout: 30_000, message: 'the CRM holds exactly the ground truth’s emails' })
    .toEqual({ missing: [], extra: [], wrong: [] });
}

test('connects Gmail and Outlook with scope, kind and backfill days; a shared mailbox needs its owner and recovery note (R4–R6)', async ({ context, extensionId }) => {
  const popup = await openPopup(context, extensionId);
  await expect(popup.getByRole('heading', { name: 'No mailbox connected yet' })).toBeVisible();
  await snapBothThemes(popup, 'popup-empty');
  await expectAccessible(popup);

  // With a CRM connected, each connect also writes the CRM's record of the mailbox (R5, R6).
  await connectCrmWithPolicy(playwrightPage(popup));
  // Gmail: sales, personal, the 30-day preset.
  await popup.getByLabel('Used for').selectOption('sales');
  await popup.getByRole('radio', { name: 'Personal' }).check();
  const days = popup.getByLabel('Backfill days');
  await expect(days).toHaveValue('14');
  await popup.getByRole('button', { name: '30 days' }).click();
  await expect(days).toHaveValue('30');
  await popup.getByRole('button', { name: 'Connect Gmail' }).click();
  const gmail = card(popup, RILEY_CARD);
  await expect(gmail).toContainText('Sales · Personal mailbox');
  await expect(gmail).toContainText('Sends as Riley Rep, replies to sales@acme-sales.test');

  // Outlook: support, shared. Without owner and recovery note, and with 400 days, each field says what is wrong.
  await popup.getByLabel('Used for').selectOption('support');
  await popup.getByRole('radio', { name: 'Shared' }).check();
  await days.fill('400');
  await popup.getByRole('button', { name: 'Connect Outlook' }).click();
  const owner = popup.getByLabel('Owner');
  const note = popup.getByLabel('Recovery note');
  await expect(owner).toHaveAttribute('aria-invalid', 'true');
  await expect(owner).toHaveAccessibleDescription(/A shared mailbox needs an owner/);
  await expect(note).toHaveAttribute('aria-invalid', 'true');
  await expect(note).toHaveAccessibleDescription(/A shared mailbox needs a recovery note/);
  await expect(days).toHaveAttribute('aria-invalid', 'true');
  await expect(days).toHaveAccessibleDescription(/Enter at most 365 days/);
  await expectAccessible(popup);
  // Nothing was connected: no Microsoft sign-in was even started.
  expect((await mailboxes(popup)).map((m) => m.address)).toEqual([RILEY]);

  // The CRM keeps the owner as an address: a name is refused on the field.
  await owner.fill('Sam Lead');
  await popup.getByRole('button', { name: 'Connect Outlook' }).click();
  await expect(owner).toHaveAccessibleDescription(/Enter the owner's email address/);
  await owner.fill('sam.lead@acme-sales.test');
  await note.fill('Password in the team vault; IT resets access.');
  await days.fill('21');
  await expect(days).not.toHaveAttribute('aria-invalid', 'true');
  await popup.getByRole('button', { name: 'Connect Outlook' }).click();
  const outlook = card(popup, SUPPORT_CARD);
  await expect(outlook).toContainText('Support · Shared mailbox');
  await expect(outlook).toContainText('Sends as Acme Support');
  await expect(gmail.getByText('Connected', { exact: true })).toBeVisible();
  await expect(outlook.getByText('Connected', { exact: true })).toBeVisible();
  await snapBothThemes(popup, 'popup-connected');
  await expectAccessible(popup);

  // What the background kept: each mailbox with the choices made before connecting.
  const kept = Object.fromEntries((await mailboxes(popup)).map((m) => [m.address, m]));
  expect(kept[RILEY]).toMatchObject({ scope: 'sales', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 30 });
  expect(kept[SUPPORT]).toMatchObject({ scope: 'support', kind: 'shared', owner: 'sam.lead@acme-sales.test', recoveryNote: 'Password in the team vault; IT resets access.', backfillDays: 21 });

  // And the CRM's records of both mailboxes say the same.
  const records = Object.fromEntries((await admin.get<{ mailboxes: CrmMailbox[] }>('/crm/mailboxes')).mailboxes.map((m) => [m.address, m]));
  expect(records[RILEY]).toMatchObject({ purpose: 'sales', kind: 'personal', recovery_note: null });
  expect(records[SUPPORT]).toMatchObject({ purpose: 'support', kind: 'shared', owner: 'sam.lead@acme-sales.test', recovery_note: 'Password in the team vault; IT resets access.' });
});

test('preview first, then a backfill with live progress; the first backfill holds to 14 days, and above 60 days it asks to confirm the estimate (R10, R11)', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  // About 600 messages in riley's last 90 days: a backfill of more than one page.
  await admin.post('/reset', { seed: 1, size: 6000 });
  const popup = await openPopup(context, extensionId);
  const page = playwrightPage(popup);
  await connectCrmWithPolicy(page);
  const riley = await call<Mailbox>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales', backfillDays: 30 });
  await popup.reload();
  const gmail = card(popup, RILEY_CARD);
  await gmail.getByRole('button', { name: 'Backfill' }).click();
  const panel = gmail.getByRole('group', { name: `Backfill ${RILEY}` });
  const days = panel.getByLabel('Days to import');
  await expect(days).toHaveValue('30');

  // The hold: not verified yet, so 30 days are refused on the field and nothing starts.
  await expect(panel).toContainText('The first backfill is held to 14 days until matching is verified');
  await expect(panel.getByRole('button', { name: 'Open the launch checklist' })).toBeVisible();
  await panel.getByRole('button', { name: 'Start backfill' }).click();
  await expect(days).toHaveAttribute('aria-invalid', 'true');
  await expect(days).toHaveAccessibleDescription('The first backfill is held to 14 days until matching is verified.');
  expect((await jobs(page)).jobs.filter((j) => j.kind === 'backfill')).toEqual([]);

  // Preview (any window): per contact and per skip reason, and nothing pushed for it.
  const before = await crmEmails();
  await panel.getByRole('button', { name: 'Preview' }).click();
  const result = panel.getByRole('region', { name: /^Preview of the last 30 days/ });
  await expect(result).toBeVisible({ timeout: 60_000 });
  const previewRun = (await call<{ runs: { kind: string; counts: { contacts: Record<string, number>; skipped: Record<string, number> } }[] }>(page, 'getRuns', { mailboxId: riley.id })).runs.find(
    (r) => r.kind === 'preview',
  )!;
  const contactCount = Object.keys(previewRun.counts.contacts).length;
  expect(contactCount).toBeGreaterThan(0);
  await expect(result).toContainText(`would be logged on ${contactCount} contacts`);
  await expect(result.getByRole('heading', { name: 'Would be logged, per contact' })).toBeVisible();
  await expect(result.getByRole('heading', { name: 'Would be skipped, by reason' })).toBeVisible();
  const internal = previewRun.counts.skipped.internal_only ?? 0;
  expect(internal).toBeGreaterThan(0);
  await expect(result.getByRole('listitem').filter({ hasText: 'Internal only' })).toContainText(String(internal));
  expect((await crmEmails()).map((e) => e.message_id).sort()).toEqual(before.map((e) => e.message_id).sort());
  await snapBothThemes(popup, 'popup-preview');
  await expectAccessible(popup);

  // Matching verified (the options page's checklist does this): 90 days now ask for confirmation with Gmail's estimate.
  await markMatchingVerified(page, riley.id);
  await popup.reload();
  await gmail.getByRole('button', { name: 'Backfill' }).click();
  await expect(panel.getByText('The first backfill is held')).toHaveCount(0);
  await panel.getByRole('button', { name: '90 days' }).click();
  await panel.getByRole('button', { name: 'Start backfill' }).click();
  const confirm = panel.getByRole('status').filter({ hasText: 'Import 90 days of history?' });
  await expect(confirm).toContainText(/Gmail estimates about [\d,]+ messages in this window/);
  await expectAccessible(popup);
  expect((await jobs(page)).jobs.filter((j) => j.kind === 'backfill')).toEqual([]);

  // Slow Gmail's message reads so the popup sees the backfill between its pages.
  await admin.fault({ service: 'google', method: 'GET', path: '/messages/', delayMs: 40, count: 100_000 });
  const since = Date.now() - 90 * DAY_MS;
  await panel.getByRole('button', { name: 'Confirm backfill' }).click();
  const bar = gmail.getByRole('progressbar', { name: 'Backfill of the last 90 days' });
  await expect(bar).toBeVisible();
  await expect(gmail.getByText('Backfilling', { exact: true })).toBeVisible();
  await expect(gmail.getByRole('button', { name: 'Cancel' })).toBeVisible();
  const seen: number[] = [];
  let snapped = false;
  while (await bar.isVisible()) {
    const now = Number((await bar.getAttribute('aria-valuenow').catch(() => null)) ?? 'NaN');
    const max = Number((await bar.getAttribute('aria-valuemax').catch(() => null)) ?? 'NaN');
    if (Number.isFinite(now) && now !== seen.at(-1)) seen.push(now);
    if (!snapped && now > 0 && now < max) {
      await expect(bar).toHaveAttribute('aria-valuetext', /^[\d,]+ of [\d,]+ messages/);
      await snapBothThemes(popup, 'popup-syncing');
      await expectAccessible(popup);
      snapped = true;
    }
    await popup.waitForTimeout(150);
  }
  // It rose while it ran: a value between the start and the end was shown, and never went back.
  expect(snapped, `an intermediate value was shown (saw ${seen.join(', ')})`).toBe(true);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  await admin.delete('/faults');
  await settled(popup, riley.id);
  await expectCrmHoldsRileyTruth(since);
  await expect(gmail).toContainText('Last synced today');
});

test('"Sync now" brings a newly delivered customer email to the CRM (R9)', async ({ context, extensionId }) => {
  const popup = await openPopup(context, extensionId);
  const page = playwrightPage(popup);
  await connectCrmWithPolicy(page);
  const riley = await call<Mailbox>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' });
  const since = Date.now() - 7 * DAY_MS;
  await call(page, 'backfill', { mailboxId: riley.id, days: 7 });
  await settled(popup, riley.id);
  await expectCrmHoldsRileyTruth(since);

  const subject = `Renewal question ${Date.now()}`;
  await admin.post('/google/deliver', { from: await contactAddress(), to: RILEY, subject, body: 'Could you send the renewal quote?' });
  await popup.reload();
  const gmail = card(popup, RILEY_CARD);
  await gmail.getByRole('button', { name: 'Sync now' }).click();
  await expect(gmail.getByRole('status').filter({ hasText: 'Sync started.' })).toBeVisible();
  await expect.poll(async () => (await crmEmails()).some((e) => e.fields.subject === subject), { timeout: 30_000, message: 'the CRM received the new email' }).toBe(true);
  await expectCrmHoldsRileyTruth(since);
});

test('a 401 after the refresh token expired blocks Backfill with the reason and shows "Reconnect"; reconnecting clears it and the sync pushes again (R2, R12)', async ({ context, extensionId }) => {
  test.setTimeout(90_000);
  const popup = await openPopup(context, extensionId);
  const page = playwrightPage(popup);
  const riley = await call<Mailbox>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' });
  await popup.reload();
  const gmail = card(popup, RILEY_CARD);

  await admin.post('/expire', { what: 'refresh_tokens', user: 'riley' });
  await admin.post('/expire', { what: 'access_tokens', user: 'riley' });
  // Riley's CRM tokens expired with the rest: the CRM is connected with a fresh one, so only Gmail fails.
  await connectCrmWithPolicy(page, (await admin.post<{ token: string }>('/crm/tokens', {})).token);
  await gmail.getByRole('button', { name: 'Sync now' }).click();
  await expect(gmail.getByText('Reconnect needed', { exact: true })).toBeVisible({ timeout: 20_000 });
  const alert = gmail.getByRole('alert').filter({ hasText: 'Sign-in needed' });
  await expect(alert).toContainText('Gmail needs you to sign in again.');
  const backfill = gmail.getByRole('button', { name: 'Backfill' });
  await expect(backfill).toBeDisabled();
  await expect(backfill).toHaveAccessibleDescription('Sync now and Backfill are blocked. Fix the connection first: Gmail needs you to sign in again.');
  await expect(gmail.getByRole('button', { name: 'Sync now' })).toBeDisabled();
  // Nothing reached the CRM while the mailbox could not be read.
  expect(await crmEmails()).toEqual([]);
  await snapBothThemes(popup, 'popup-error');
  await expectAccessible(popup);

  await alert.getByRole('button', { name: 'Reconnect' }).click();
  await expect(gmail.getByText('Connected', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(gmail.getByRole('alert')).toHaveCount(0);
  await expect(backfill).toBeEnabled();

  // The backfill runs again, from the popup, and the CRM receives the window's customer email.
  const since = Date.now() - 7 * DAY_MS;
  await backfill.click();
  const panel = gmail.getByRole('group', { name: `Backfill ${RILEY}` });
  await panel.getByRole('button', { name: '7 days' }).click();
  await panel.getByRole('button', { name: 'Start backfill' }).click();
  // Started: the panel gives way to the job's progress (a refusal would stay there, as an alert).
  await expect(panel).toBeHidden();
  await settled(popup, riley.id);
  await expectCrmHoldsRileyTruth(since);
});

test('disconnect lists the CRM workflows and templates, the emails still waiting and the open jobs; then nothing more is pushed, and the remaining mailbox is asked for a test send (R34, R35)', async ({ context, extensionId }) => {
  test.setTimeout(120_000);
  const popup = await openPopup(context, extensionId);
  const page = playwrightPage(popup);
  await connectCrmWithPolicy(page);
  await call(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' });
  const support = await call<Mailbox>(page, 'connectMailbox', { provider: 'outlook', scope: 'support', kind: 'shared', owner: 'sam.lead@acme-sales.test', recoveryNote: 'In the team vault.' });
  // Support's last week is read while the CRM refuses pushes (until after the disconnect): its customer email waits in the outbox.
  const since = Date.now() - 7 * DAY_MS;
  await admin.fault({ service: 'crm', method: 'POST', path: 'emails/batch$', status: 503, count: 100_000 });
  await call(page, 'backfill', { mailboxId: support.id, days: 7 });
  await settled(popup, support.id);
  const supportOnly = (await readGroundTruth(admin, ['support'], since)).crmEmails.map((e) => e.key);
  expect(supportOnly.length).toBeGreaterThan(0);
  // A slow Graph keeps a preview of support open while it is disconnected.
  await admin.fault({ service: 'microsoft', method: 'GET', path: '/messages', delayMs: 1500, count: 100_000 });
  await call(page, 'preview', { mailboxId: support.id, days: 30 });

  await popup.reload();
  const outlook = card(popup, SUPPORT_CARD);
  await outlook.getByRole('button', { name: 'Disconnect' }).click();
  const panel = outlook.getByRole('group', { name: `Disconnect ${SUPPORT}` });
  const workflows = panel.getByRole('list', { name: 'CRM workflows' });
  await expect(workflows.getByRole('listitem')).toHaveText(['Auto-reply to new support requests', 'Escalate unanswered mail after 24 h']);
  await expect(panel.getByRole('list', { name: 'CRM templates' }).getByRole('listitem')).toHaveText([/: first response$/]);
  await expect(panel.getByRole('list', { name: 'Open jobs' })).toContainText('Preview of the last 30 days');
  const { waitingPushes } = await call<{ waitingPushes: number }>(page, 'getDisconnectImpact', { id: support.id });
  expect(waitingPushes).toBe(supportOnly.length);
  await expect(panel).toContainText(`${waitingPushes} emails only this mailbox holds are still waiting to be logged in the CRM; disconnecting now drops them.`);
  await snapBothThemes(popup, 'popup-disconnect');
  await expectAccessible(popup);

  await panel.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(outlook).toHaveCount(0);
  await expect(card(popup, RILEY_CARD)).toBeVisible();
  // Outlook has no revocation: the popup says where to remove the access by hand.
  await expect(popup.getByRole('alert').filter({ hasText: `${SUPPORT} is disconnected, but access was not revoked` })).toBeVisible();
  const prompt = popup.getByRole('status').filter({ hasText: `Send a test from ${RILEY}` });
  await expect(prompt.getByRole('button', { name: 'Send a test email' })).toBeVisible();
  await expectAccessible(popup);
  expect((await mailboxes(popup)).map((m) => m.address)).toEqual([RILEY]);

  // Nothing more is pushed for the disconnected mailbox: neither what waited in the outbox (riley's
  // "Sync now" drains it at once), nor its stopped preview, nor mail delivered to it afterwards.
  await admin.delete('/faults');
  const subject = `Ticket after disconnect ${Date.now()}`;
  await admin.post('/microsoft/deliver', { from: await contactAddress(), to: SUPPORT, subject, body: 'Still broken.' });
  await card(popup, RILEY_CARD).getByRole('button', { name: 'Sync now' }).click();
  await settled(popup, 'crm');
  await popup.waitForTimeout(3_000);
  const inCrm = await crmEmails();
  expect(inCrm.filter((e) => supportOnly.includes(e.message_id))).toEqual([]);
  expect(inCrm.filter((e) => e.fields.subject === subject)).toEqual([]);

  // The prompt's button opens the options page at its launch checklist, where the test send is.
  const [options] = await Promise.all([context.waitForEvent('page'), prompt.getByRole('button', { name: 'Send a test email' }).click()]);
  await expect(options).toHaveURL(`chrome-extension://${extensionId}/options.html#checklist`);
});

test('a permission left unticked shows "Grant access", which signs in again; a used-up daily quota shows when the wait ends and holds the backfill (R12)', async ({ context, extensionId }) => {
  test.setTimeout(60_000);
  const popup = await openPopup(context, extensionId);
  const page = playwrightPage(popup);
  await connectCrmWithPolicy(page);
  const riley = await call<Mailbox>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' });
  await popup.reload();
  const gmail = card(popup, RILEY_CARD);

  // Gmail refuses for a missing scope: the fix is to sign in again and allow every permission.
  await admin.fault({ service: 'google', path: '^/gmail/v1/users/me/', status: 403, reason: 'insufficientPermissions', count: 1000 });
  await gmail.getByRole('button', { name: 'Sync now' }).click();
  const denied = gmail.getByRole('alert').filter({ hasText: 'Access missing' });
  await expect(denied).toContainText('Gmail did not grant the access the extension needs.');
  await expect(gmail.getByRole('button', { name: 'Backfill' })).toBeDisabled();
  await admin.delete('/faults');
  await denied.getByRole('button', { name: 'Grant access' }).click();
  await expect(gmail.getByText('Connected', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(gmail.getByRole('button', { name: 'Backfill' })).toBeEnabled();

  // The day's quota is used up, for two hours: the card says until when, and Backfill waits for it.
  await admin.fault({ service: 'google', path: '^/gmail/v1/users/me/', status: 403, reason: 'dailyLimitExceeded', retryAfter: 7200, count: 1000 });
  await gmail.getByRole('button', { name: 'Sync now' }).click();
  await expect(gmail.getByText('Waiting for the provider', { exact: true })).toBeVisible({ timeout: 20_000 });
  const blocked = (await jobs(page)).jobs.find((j) => j.lane === riley.id && j.status === 'blocked')!;
  expect(blocked.notBefore).toBeGreaterThan(Date.now() + 3_600_000);
  const ends = await popup.evaluate((at) => {
    const d = new Date(at);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }, blocked.notBefore);
  const wait = gmail.getByRole('status').filter({ hasText: 'Paused until' });
  await expect(wait).toContainText(new RegExp(`Paused until (today|tomorrow) ${ends}`));
  await expect(wait).toContainText("Gmail's daily limit for this account is used up.");
  await expect(gmail.getByRole('button', { name: 'Backfill' })).toHaveAccessibleDescription(/^Sync now and Backfill are blocked\. They can start once the provider's wait ends: Gmail's daily limit/);
  await expect(gmail.getByRole('button', { name: 'Sync now' })).toBeDisabled();
  await expectAccessible(popup);
  // Nothing reached the CRM from a mailbox that could not be read.
  expect(await crmEmails()).toEqual([]);
  await admin.delete('/faults');
});
