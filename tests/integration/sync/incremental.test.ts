import { describe, expect, it } from 'vitest';
import { getJob, jobId } from '@/lib/db';
import { CONTACTS_EVERY_MS, INCREMENTAL_EVERY_MS } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 60;
const GMAIL_LIST = /^\/gmail\/v1\/users\/me\/messages$/;
const GMAIL_MESSAGE = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)$/;
const GMAIL_THREAD = /^\/gmail\/v1\/users\/me\/threads\/[^/]+$/;
const CRM_BATCH = '^/public/v1/emails/batch$';

useEngineHarness(7, (harness) => {
  h = harness;
});

/** The address of a mirrored CRM contact that the mailbox's pushed mail names. */
async function someContactAddress(mailbox: string): Promise<string> {
  const pushed = (await h.truth([mailbox])).verdicts.find((v) => v.push && v.contactIds.length > 0)!;
  return (await h.deps.db.contacts.get(pushed.contactIds[0]!))!.emails[0]!;
}

/** Delivers mail from a CRM contact to the seeded mailbox `to` (its address) through `service`'s admin route. */
async function deliver(service: 'google' | 'microsoft', from: string, to: string, subject: string): Promise<string> {
  const admin = service === 'google' ? h.google : h.microsoft;
  return (await admin.post<{ id: string }>(`/${service}/deliver`, { from, to, subject, body: `About ${subject}.` })).id;
}

describe('mail delivered during and after a backfill reaches the CRM through incremental sync (R9, R10, R16)', () => {
  for (const [provider, service, seedId] of [
    ['outlook', 'microsoft', 'support'],
    ['gmail', 'google', 'riley'],
  ] as const) {
    it(`${provider}: mail delivered while the backfill runs, and after it, is pushed once; new mail keeps flowing`, { timeout: 60_000 }, async () => {
      const mailbox = await h.connect(provider);
      const start = h.clock;
      const delivered: string[] = [];
      h.onProgress = async (update) => {
        if (update.jobId !== jobId(mailbox.id, 'backfill') || delivered.length > 0) return;
        // The mirror is filled by now (the backfill refreshed it first).
        delivered.push(await deliver(service, await someContactAddress(seedId), mailbox.address, 'During the backfill'));
      };
      await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
      await h.settle();
      expect(delivered).toHaveLength(1);
      const from = await someContactAddress(seedId);
      for (const round of [1, 2, 3]) {
        delivered.push(await deliver(service, from, mailbox.address, `After the backfill, round ${round}`));
        h.clock += INCREMENTAL_EVERY_MS;
        await h.settle();
      }
      const truth = await h.truth([seedId], start - WINDOW_DAYS * DAY);
      const byId = new Map(truth.verdicts.map((v) => [v.providerId, v]));
      expect(delivered.map((id) => byId.get(id)?.push)).toEqual([true, true, true, true]);
      await h.expectCrmMatches(truth.crmEmails);
      const keys = new Set((await h.crmEmails()).map((e) => e.message_id));
      expect(delivered.every((id) => keys.has(byId.get(id)!.key))).toBe(true);
    });
  }

  it('gmail: a message moved to trash before it was pushed is never pushed, and the ground truth agrees', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    const start = h.clock;
    // CRM writes fail until the message is trashed: the backfill's writes wait in the outbox.
    await h.crm.fault({ path: CRM_BATCH, status: 503, retryAfter: null, count: 1000 });
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.round();
    expect(await h.crmEmails()).toEqual([]);
    const pending = await h.deps.db.outbox.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Number.MAX_SAFE_INTEGER]).toArray();
    expect(pending.length).toBeGreaterThan(5);
    const trashed = pending.find((e) => e.mailboxIds.length === 1)!;
    await h.google.post('/google/labels', { id: trashed.providerId, add: ['TRASH'], remove: ['INBOX'] });
    await h.google.delete('/faults');
    h.clock += INCREMENTAL_EVERY_MS;
    await h.settle();
    const truth = await h.truth(['riley'], start - WINDOW_DAYS * DAY);
    expect(truth.verdicts.find((v) => v.providerId === trashed.providerId)).toMatchObject({ push: false, reason: 'excluded_folder' });
    expect((await h.crmEmails()).map((e) => e.message_id)).not.toContain(trashed.idempotencyKey);
    await h.expectCrmMatches(truth.crmEmails);
  });

  it('gmail: a contact added in the CRM mid-way retro-matches the stored unmatched mail, reading again only those messages', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    const start = h.clock;
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.settle();
    // An outside address of mail skipped for want of a contact.
    const unmatched = await h.deps.db.verdicts.where('[mailboxId+reason]').equals([mailbox.id, 'no_contact']).toArray();
    const messages = await h.deps.db.messages.bulkGet(unmatched.map((v) => [mailbox.id, v.providerId] as [string, string]));
    const address = messages.flatMap((m) => m!.participants).find((a) => !a.endsWith('@acme-sales.test'))!;
    const expectedIds = messages.filter((m) => m!.participants.includes(address)).map((m) => m!.providerId).sort();
    expect(expectedIds.length).toBeGreaterThan(0);
    const since = (await h.google.requests()).at(-1)!.seq;

    const { data } = await h.crm.post<{ data: { id: string } }>('/crm/contacts', { name: 'Newly Added', email: address });
    h.clock += CONTACTS_EVERY_MS;
    await h.settle();

    const truth = await h.truth(['riley'], start - WINDOW_DAYS * DAY);
    const nowPushed = truth.verdicts.filter((v) => v.push && v.contactIds.includes(data.id)).map((v) => v.providerId).sort();
    expect(nowPushed).toEqual(expectedIds);
    await h.expectCrmMatches(truth.crmEmails);
    // Only those messages were read again: no listing of the window, no thread reads, one get each.
    const requests = await h.google.requests(undefined, { since });
    expect(requests.filter((r) => GMAIL_LIST.test(r.path) || GMAIL_THREAD.test(r.path))).toEqual([]);
    const reread = requests.flatMap((r) => GMAIL_MESSAGE.exec(r.path)?.[1] ?? []).sort();
    expect(reread).toEqual(expectedIds);
    expect(await getJob(h.deps.db, jobId('crm', 'contacts'))).toMatchObject({ status: 'done' });
  });
});
