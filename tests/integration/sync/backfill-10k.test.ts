import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { EngineHarness } from '../../support/engine-harness';

let emulators: RunningEmulators;
const DAY = 24 * 60 * 60_000;
/** The seed spreads mail over 400 days; one more day takes in every message either mailbox holds. */
const WHOLE_MAILBOX_DAYS = 401;

beforeAll(async () => {
  emulators = await startEmulators({ size: '10k', seed: 7 });
});
afterAll(() => emulators.stop());

describe('backfill of the 10k seed against the live ground truth (R10, R13, R15, R19–R22)', () => {
  // One test for both providers, run side by side as the engine runs lanes: Gmail is bound by its
  // quota (250 units/s, about a minute for its 4,620 messages), Outlook finishes meanwhile.
  it('Gmail (riley) and Outlook (support), whole mailboxes at once: the CRM holds exactly the expected set, shared mail once', { timeout: 300_000 }, async () => {
    const h = new EngineHarness(emulators.urls);
    await h.setUp({ seed: 7, size: '10k' });
    const gmail = await h.connect('gmail');
    const outlook = await h.connect('outlook');
    for (const mailbox of [gmail, outlook]) {
      expect(await h.engine.backfill(mailbox.id, { days: WHOLE_MAILBOX_DAYS })).toMatchObject({ confirm: { days: WHOLE_MAILBOX_DAYS } });
      await h.engine.backfill(mailbox.id, { days: WHOLE_MAILBOX_DAYS, confirmed: true });
    }
    await h.settle(2000);
    const truth = await h.truth(['riley', 'support'], h.clock - WHOLE_MAILBOX_DAYS * DAY);
    expect(truth.counts.messages).toBeGreaterThan(8000);
    expect(truth.crmEmails.filter((e) => e.sources.length > 1).length).toBeGreaterThan(50);
    await h.expectCrmMatches(truth.crmEmails);
    const runs = (await h.deps.db.syncRuns.toArray()).filter((r) => r.kind === 'backfill');
    // Each listed message counted once; the listings leave out only mail in excluded folders (spam, trash, junk, drafts).
    const fetched = runs.map((r) => r.counts.fetched).reduce((a, b) => a + b, 0);
    expect(fetched).toBeLessThanOrEqual(truth.counts.messages);
    expect(fetched).toBeGreaterThanOrEqual(truth.counts.messages - (truth.counts.skipped.excluded_folder ?? 0));
  });
});
