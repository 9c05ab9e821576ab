import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { DEMO_PAT } from '@/emulators/crm';
import type { GroundTruth, Verdict } from '@/emulators/seed/ground-truth';
import type { Policy, ThreadMark } from '@/emulators/seed/policy';
import { type EmulatorAdmin, emulatorAdmin } from '@/tests/support/emulator-admin';

/**
 * `GET /__admin/ground-truth` follows the live world over real HTTP: mail delivered, moved or
 * relabelled in the Google and Microsoft emulators, contacts created through the CRM API, and
 * the policy and thread marks set through the admin API (issue 8, section 3).
 */
let emulators: RunningEmulators;
let admin: EmulatorAdmin;
const NOW = Date.UTC(2026, 10, 24);
const RILEY = 'riley@acme-sales.test';
const SAM = 'sam@acme-sales.test';
const SUPPORT = 'support@acme-sales.test';

beforeAll(async () => {
  emulators = await startEmulators({ seed: 7, size: 'demo', now: NOW });
  admin = emulatorAdmin(emulators.urls.google);
});
afterAll(() => emulators.stop());
beforeEach(() => admin.post('/reset', { seed: 7, size: 'demo', now: NOW }));

const truth = () => admin.get<GroundTruth>('/ground-truth');
async function verdictOf(providerId: string): Promise<Verdict | undefined> {
  return (await truth()).verdicts.find((v) => v.providerId === providerId);
}
/** A CRM contact of the seed: an address the ground truth matches. */
const contact = () => emulators.context.world.contacts.find((c) => !c.primaryEmail.endsWith('brightline-legal.test'))!;

async function deliverGmail(from: string, to = RILEY): Promise<string> {
  return (await admin.post<{ id: string }>('/google/deliver', { from, to, subject: 'Pricing for next year', body: 'Can you send the quote?' })).id;
}
async function deliverOutlook(from: string, folder?: string): Promise<string> {
  return (await admin.post<{ id: string }>('/microsoft/deliver', { from, to: SUPPORT, subject: 'Ticket', body: 'It broke.', ...(folder ? { folder } : {}) })).id;
}

async function createContact(email: string): Promise<string> {
  const response = await fetch(`${emulators.urls.crm}/public/v1/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_PAT}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ name: 'Nia Newcomer', email }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

describe('GET /__admin/ground-truth follows the live world', () => {
  it('covers every message the emulators hold, computed from the seed at the start', async () => {
    const gt = await truth();
    expect(gt.verdicts).toHaveLength(emulators.context.world.messages.length);
    expect(gt.counts.crmEmails).toBe(gt.crmEmails.length);
  });

  it('(a) includes a delivered Gmail message, pushed to the contact who sent it', async () => {
    const before = await truth();
    const sender = contact();
    const id = await deliverGmail(sender.primaryEmail.toUpperCase());
    const after = await truth();
    expect(after.verdicts).toHaveLength(before.verdicts.length + 1);
    const verdict = after.verdicts.find((v) => v.providerId === id)!;
    expect(verdict).toMatchObject({ mailboxId: 'riley', folder: 'inbox', category: 'primary', push: true, reason: null, contactIds: [sender.id] });
    expect(after.crmEmails.find((e) => e.key === verdict.key)).toMatchObject({ contactIds: [sender.id], visibility: 'snippet', sources: [{ mailboxId: 'riley', providerId: id }] });
    expect(after.counts.crmEmails).toBe(before.counts.crmEmails + 1);
  });

  it('(a) reads a delivered Gmail message with a mailing tool\'s headers as bulk', async () => {
    const sender = contact();
    const { id } = await admin.post<{ id: string }>('/google/deliver', {
      from: sender.primaryEmail,
      to: RILEY,
      subject: 'Our spring newsletter',
      body: 'News.',
      headers: [['List-Unsubscribe', '<mailto:unsubscribe@list.test>']],
    });
    expect(await verdictOf(id)).toMatchObject({ mailboxId: 'riley', push: false, reason: 'bulk' });
    await expect(admin.post('/google/deliver', { from: sender.primaryEmail, to: RILEY, subject: 'x', body: 'x', headers: [['Bad Name', 'x']] })).rejects.toThrow();
  });

  it('(a) includes a delivered Outlook message, and one filed straight into Junk as excluded', async () => {
    const sender = contact();
    const inbox = await deliverOutlook(sender.primaryEmail);
    const junk = await deliverOutlook(sender.primaryEmail, 'junkemail');
    expect(await verdictOf(inbox)).toMatchObject({ mailboxId: 'support', folder: 'inbox', push: true, contactIds: [sender.id] });
    expect(await verdictOf(junk)).toMatchObject({ mailboxId: 'support', folder: 'junkemail', push: false, reason: 'excluded_folder' });
  });

  it('(b) drops a message moved to trash, in Gmail and in Outlook; archived Gmail mail stays allowed', async () => {
    const sender = contact().primaryEmail;
    const gmail = await deliverGmail(sender);
    const outlook = await deliverOutlook(sender);
    const key = (await verdictOf(gmail))!.key;

    await admin.post('/google/labels', { id: gmail, remove: ['INBOX'] });
    expect(await verdictOf(gmail)).toMatchObject({ folder: null, push: true });

    await admin.post('/google/labels', { id: gmail, add: ['TRASH'] });
    await admin.post('/microsoft/move', { id: outlook, folder: 'deleteditems' });
    const gt = await truth();
    expect(gt.verdicts.find((v) => v.providerId === gmail)).toMatchObject({ folder: 'trash', push: false, reason: 'excluded_folder' });
    expect(gt.verdicts.find((v) => v.providerId === outlook)).toMatchObject({ folder: 'deleteditems', push: false, reason: 'excluded_folder' });
    expect(gt.crmEmails.some((e) => e.key === key)).toBe(false);

    await admin.post('/microsoft/move', { id: outlook, folder: 'inbox' });
    expect(await verdictOf(outlook)).toMatchObject({ folder: 'inbox', push: true });
  });

  it('(b) allows mail filed in Archive and user folders (named by folder id), and excludes it once its folder is deleted into Deleted Items', async () => {
    const sender = contact();
    const folder = (await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Vendors' })).id;
    const child = (await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Spam', parent: folder })).id;
    const filed = await deliverOutlook(sender.primaryEmail, folder);
    const nested = await deliverOutlook(sender.primaryEmail, child);
    const archived = await deliverOutlook(sender.primaryEmail, 'archive');
    expect(await verdictOf(filed)).toMatchObject({ folder, push: true, contactIds: [sender.id] });
    // A user folder called "Spam" is not Gmail's spam: it is named by its id.
    expect(await verdictOf(nested)).toMatchObject({ folder: child, push: true });
    expect(await verdictOf(archived)).toMatchObject({ folder: 'archive', push: true });
    // The seed files some customer mail in Archive and in a user folder with a child folder.
    const seededIds = new Set(emulators.context.world.messages.map((m) => m.providerId));
    const seededFolders = new Set((await truth()).verdicts.filter((v) => v.mailboxId === 'support' && v.push && seededIds.has(v.providerId)).map((v) => v.folder));
    // Inbox, Sent Items, Archive, Customers and Customers/Key accounts.
    expect(seededFolders.size).toBe(5);

    await admin.post('/microsoft/folders/move', { mailbox: SUPPORT, id: folder, parent: 'deleteditems' });
    expect(await verdictOf(filed)).toMatchObject({ folder: 'deleteditems', push: false, reason: 'excluded_folder' });
    expect(await verdictOf(nested)).toMatchObject({ folder: 'deleteditems', push: false, reason: 'excluded_folder' });
  });

  it('(c) matches a contact created through the CRM API, by an address in another case', async () => {
    const id = await deliverGmail('nia.newcomer@fresh-leads.test');
    expect(await verdictOf(id)).toMatchObject({ push: false, reason: 'no_contact', contactIds: [] });
    const contactId = await createContact('Nia.Newcomer@Fresh-Leads.test');
    const verdict = (await verdictOf(id))!;
    expect(verdict).toMatchObject({ push: true, reason: null, contactIds: [contactId] });
    expect((await truth()).crmEmails.find((e) => e.key === verdict.key)?.contactIds).toEqual([contactId]);
  });

  it('(d) skips a thread marked "don\'t sync" in that mailbox, and pushes it again once cleared', async () => {
    const id = await deliverGmail(contact().primaryEmail);
    const { threadId } = (await verdictOf(id))!;
    const mark = await admin.put<ThreadMark>('/thread-marks', { mailbox: RILEY, threadId, dontSync: true });
    expect(mark).toEqual({ mailboxId: 'riley', threadId, dontSync: true, contactIds: [] });
    expect(await admin.get('/thread-marks')).toEqual([mark]);
    expect(await verdictOf(id)).toMatchObject({ push: false, reason: 'dont_sync' });

    await admin.delete(`/thread-marks?mailbox=riley&threadId=${encodeURIComponent(threadId)}`);
    expect(await verdictOf(id)).toMatchObject({ push: true, reason: null });
  });

  it('pushes a personal-scope thread the user linked by hand, with the linked contacts only', async () => {
    const sender = contact();
    const other = emulators.context.world.contacts.find((c) => c.id !== sender.id)!;
    const id = await deliverGmail(sender.primaryEmail, SAM);
    const { threadId } = (await verdictOf(id))!;
    expect(await verdictOf(id)).toMatchObject({ mailboxId: 'sam', reason: 'personal_scope', contactIds: [sender.id] });
    await admin.put('/thread-marks', { mailbox: 'sam', threadId, contactIds: [other.id] });
    expect(await verdictOf(id)).toMatchObject({ push: true, contactIds: [other.id] });
    const gt = await truth();
    expect(gt.crmEmails.find((e) => e.sources.some((s) => s.providerId === id))).toMatchObject({ visibility: 'metadata', fields: expect.not.arrayContaining(['subject']) });
  });

  it('refuses marks for unknown mailboxes or contacts', async () => {
    const refused = (body: unknown) => fetch(`${emulators.urls.google}/__admin/thread-marks`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await refused({ mailbox: 'nobody@x.test', threadId: 't', dontSync: true })).status).toBe(404);
    expect((await refused({ mailbox: 'riley', threadId: 't', contactIds: ['ct-nope'] })).status).toBe(400);
    expect((await refused({ mailbox: 'riley' })).status).toBe(400);
  });
});

describe('/__admin/policy', () => {
  it('starts as seeded, with each mailbox at the visibility the product gives its scope', async () => {
    expect(await admin.get<Policy>('/policy')).toEqual({
      workspaceDomains: ['acme-sales.test'],
      blockedAddresses: ['pat.private@gmail.com'],
      blockedDomains: ['brightline-legal.test'],
      excludedCategories: ['promotions', 'social', 'updates', 'forums'],
      mailboxes: { riley: { scope: 'sales', visibility: 'snippet' }, support: { scope: 'support', visibility: 'snippet' }, sam: { scope: 'personal', visibility: 'metadata' } },
    });
  });

  it('changes what the ground truth blocks, counts internal, and lets through', async () => {
    const id = await deliverGmail('nia@eu.fresh-leads.test');
    await createContact('nia@eu.fresh-leads.test');
    expect(await verdictOf(id)).toMatchObject({ push: true });

    await admin.put('/policy', { blockedDomains: ['fresh-leads.test'] });
    expect(await verdictOf(id)).toMatchObject({ push: false, reason: 'blocked' });

    await admin.put('/policy', { blockedDomains: [], workspaceDomains: ['acme-sales.test', 'fresh-leads.test'] });
    expect(await verdictOf(id)).toMatchObject({ push: false, reason: 'internal_only' });
  });

  it('changes a mailbox scope and visibility, and tells the CRM the workspace domains', async () => {
    const id = await deliverGmail(contact().primaryEmail);
    const policy = await admin.put<Policy>('/policy', { workspaceDomains: ['acme-sales.test', 'acme.test'], mailboxes: { riley: { visibility: 'full' } } });
    expect(policy.mailboxes.riley).toEqual({ scope: 'sales', visibility: 'full' });
    const key = (await verdictOf(id))!.key;
    expect((await truth()).crmEmails.find((e) => e.key === key)?.fields).toContain('body');

    const me = await fetch(`${emulators.urls.crm}/public/v1/me`, { headers: { authorization: `Bearer ${DEMO_PAT}` } });
    expect(((await me.json()) as { data: { workspace: { domains: string[] } } }).data.workspace.domains).toEqual(['acme-sales.test', 'acme.test']);

    await admin.put('/policy', { mailboxes: { riley: { scope: 'personal' } } });
    expect(await verdictOf(id)).toMatchObject({ reason: 'personal_scope' });
  });

  it('refuses an unknown mailbox or a malformed policy, and resets with the world', async () => {
    const put = (body: unknown) => fetch(`${emulators.urls.microsoft}/__admin/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ mailboxes: { nobody: { scope: 'sales' } } })).status).toBe(404);
    expect((await put({ mailboxes: { riley: { visibility: 'everything' } } })).status).toBe(400);
    expect((await put({ blockedDomains: 'x.test' })).status).toBe(400);
    await admin.put('/policy', { excludedCategories: [] });
    await admin.put('/thread-marks', { mailbox: 'riley', threadId: 't', dontSync: true });
    await admin.post('/reset', {});
    expect((await admin.get<Policy>('/policy')).excludedCategories).toEqual(['promotions', 'social', 'updates', 'forums']);
    expect(await admin.get('/thread-marks')).toEqual([]);
  });
});
