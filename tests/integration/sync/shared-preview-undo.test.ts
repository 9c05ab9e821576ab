import { describe, expect, it } from 'vitest';
import { getJob, getRun, jobId, outboxOfRun } from '@/lib/db';
import type { SyncRun } from '@/lib/domain';
import { INCREMENTAL_EVERY_MS, runSample } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 60;
const WHOLE_MAILBOX_DAYS = 401;

useEngineHarness(7, (harness) => {
  h = harness;
});

/** The run a mailbox's last job of `kind` recorded. */
async function runOf(mailboxId: string, kind: 'backfill' | 'preview'): Promise<SyncRun> {
  const job = await getJob(h.deps.db, jobId(mailboxId, kind));
  return (await getRun(h.deps.db, job!.runId!))!;
}

describe('shared messages (R15): two connected mailboxes holding the same mail push it once', () => {
  it('riley (Gmail) and support (Outlook): each shared message written once, with the union of both copies’ contacts', { timeout: 60_000 }, async () => {
    const gmail = await h.connect('gmail');
    const outlook = await h.connect('outlook');
    // The seed's shared mail is spread over its 400 days: the whole mailboxes.
    for (const mailbox of [gmail, outlook]) await h.engine.backfill(mailbox.id, { days: WHOLE_MAILBOX_DAYS, confirmed: true });
    await h.settle();
    const truth = await h.truth(['riley', 'support'], h.clock - WHOLE_MAILBOX_DAYS * DAY);
    const shared = truth.crmEmails.filter((e) => new Set(e.sources.map((s) => s.mailboxId)).size === 2);
    expect(shared.length).toBeGreaterThan(3);
    await h.expectCrmMatches(truth.crmEmails);
    // The second copy was seen, counted as a duplicate, and not written again.
    const duplicates = (await runOf(gmail.id, 'backfill')).counts.duplicates + (await runOf(outlook.id, 'backfill')).counts.duplicates;
    expect(duplicates).toBe(shared.length);
  });
});

describe('preview (R11): its counts equal what a backfill of the same window decides, and the ground truth', () => {
  for (const provider of ['gmail', 'outlook'] as const) {
    it(`${provider}: per contact and per skip reason`, { timeout: 60_000 }, async () => {
      const mailbox = await h.connect(provider);
      await h.engine.preview(mailbox.id, WINDOW_DAYS);
      await h.settle();
      const previewRun = await runOf(mailbox.id, 'preview');
      // Nothing pushed by the preview: the CRM holds none of what the backfill then pushes (the
      // periodic sync that starts on connect may push recent mail, which the backfill finds pushed).
      const inCrmAfterPreview = new Set((await h.crmEmails()).map((e) => e.message_id));
      const preview = previewRun.counts;
      // Its review sample names each contact it counted, with what would be logged on them (R11, R24).
      const sample = await runSample(h.deps.db, previewRun.id, 5, null);
      expect(Object.fromEntries(sample.map((c) => [c.contact.id, c.total]))).toEqual(preview.contacts);
      for (const c of sample) expect(c).toMatchObject({ contact: { name: (await h.deps.db.contacts.get(c.contact.id))!.name }, messages: [] });
      await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
      await h.settle();
      const pushedByBackfill = (await outboxOfRun(h.deps.db, (await runOf(mailbox.id, 'backfill')).id)).map((e) => e.idempotencyKey);
      expect(pushedByBackfill.length).toBeGreaterThan(0);
      expect(pushedByBackfill.filter((key) => inCrmAfterPreview.has(key))).toEqual([]);
      const backfill = (await runOf(mailbox.id, 'backfill')).counts;
      expect(preview.contacts).toEqual(backfill.contacts);
      expect(preview.skipped).toEqual(backfill.skipped);
      expect({ fetched: preview.fetched, matched: preview.matched }).toEqual({ fetched: backfill.fetched, matched: backfill.matched });

      // The ground truth of the window: the same counts per contact and per reason, except mail
      // in excluded folders, of which the product sees only what the listing returns (Gmail leaves
      // spam and trash out, Outlook lists only the allowed folders): at most the truth's.
      const truth = await h.truth([provider === 'gmail' ? 'riley' : 'support'], h.clock - WINDOW_DAYS * DAY);
      const skipped: Record<string, number> = {};
      const contacts: Record<string, number> = {};
      for (const v of truth.verdicts) {
        if (v.reason) skipped[v.reason] = (skipped[v.reason] ?? 0) + 1;
        else for (const id of v.contactIds) contacts[id] = (contacts[id] ?? 0) + 1;
      }
      const { excluded_folder: seenExcluded = 0, ...previewSkipped } = preview.skipped;
      const { excluded_folder: allExcluded = 0, ...truthSkipped } = skipped;
      expect(previewSkipped).toEqual(truthSkipped);
      expect(seenExcluded).toBeLessThanOrEqual(allExcluded);
      expect(preview.contacts).toEqual(contacts);
      expect(preview.matched).toBe(truth.counts.pushed);
      await h.expectCrmMatches(truth.crmEmails);
    });
  }
});

describe('undo (R18): removes exactly one run’s emails from the CRM', () => {
  it('gmail: the backfill’s emails are deleted, the later sync’s stay, and no later sync pushes the undone ones again', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    const start = h.clock;
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.settle();
    const backfill = await runOf(mailbox.id, 'backfill');
    const backfillKeys = new Set((await h.crmEmails()).map((e) => e.message_id));
    expect(backfillKeys.size).toBeGreaterThan(5);

    // A later run: new mail from a contact, through incremental sync.
    const pushed = (await h.truth(['riley'])).verdicts.find((v) => v.push && v.contactIds.length > 0)!;
    const from = (await h.deps.db.contacts.get(pushed.contactIds[0]!))!.emails[0]!;
    const later = [await h.google.post<{ id: string }>('/google/deliver', { from, to: mailbox.address, subject: 'Kept after the undo', body: 'Stays.' })];
    h.clock += INCREMENTAL_EVERY_MS;
    await h.settle();

    await h.engine.undo(mailbox.id, backfill.id);
    await h.settle();
    expect((await getRun(h.deps.db, backfill.id))?.undoneAt).not.toBeNull();

    // More mail and more syncs afterwards: "Sync now", the periodic sync, a contact mirror refresh.
    later.push(await h.google.post<{ id: string }>('/google/deliver', { from, to: mailbox.address, subject: 'After the undo', body: 'Also pushed.' }));
    await h.engine.syncNow(mailbox.id);
    await h.settle();
    h.clock += 10 * 60_000;
    await h.settle();

    const truth = await h.truth(['riley'], start - WINDOW_DAYS * DAY);
    const byId = new Map(truth.verdicts.map((v) => [v.providerId, v]));
    const laterKeys = later.map((l) => byId.get(l.id)!.key);
    const expected = truth.crmEmails.filter((e) => laterKeys.includes(e.key));
    expect(expected).toHaveLength(2);
    // Exactly the later runs' emails: every backfill email gone (writes counted once each, never again).
    await h.expectCrmMatches(expected);
    const writes = await h.crm.get<{ writes_by_message_id: Record<string, number> }>('/crm/emails');
    expect([...backfillKeys].filter((k) => writes.writes_by_message_id[k] !== 1)).toEqual([]);
  });
});
