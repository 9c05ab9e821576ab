import { describe, expect, it } from 'vitest';
import { expectedCrmEmails } from '@/emulators/seed/ground-truth';
import type { Policy } from '@/emulators/seed/policy';
import { createHandlers } from '@/lib/background/handlers';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;

useEngineHarness(11, (harness) => {
  h = harness;
});

describe('sync restricted to chosen folders (issue 9, "What gets synced")', () => {
  it('Outlook: offers the user folders, and a backfill restricted to one pushes exactly that folder’s customer mail', async () => {
    const mailbox = await h.connect('outlook');
    const handlers = createHandlers(h.deps);
    const { folders } = await handlers.listFolders({ mailboxId: mailbox.id }, {});
    const userFolders = folders.filter((f) => f.kind === 'user');
    expect(userFolders.map((f) => f.name).sort()).toEqual(['Customers', 'Customers/Key accounts']);
    // The user folder with the most customer mail in the window, as the emulator holds it now.
    const since = h.clock - 365 * DAY;
    const truth = await h.truth(['support'], since);
    const pushed = (id: string) => truth.verdicts.filter((v) => v.folder === id && v.push).length;
    const customers = userFolders.sort((a, b) => pushed(b.id) - pushed(a.id))[0];
    await expect(handlers.setSyncOnly({ mailboxId: mailbox.id, only: ['not-a-folder'] }, {})).rejects.toThrow(/no longer in the mailbox/);
    expect((await handlers.setSyncOnly({ mailboxId: mailbox.id, only: [customers!.id] }, {})).syncOnly).toEqual([customers!.id]);

    await h.engine.backfill(mailbox.id, { days: 365, confirmed: true });
    await h.settle();

    const inFolder = truth.verdicts.filter((v) => v.folder === customers!.id);
    const expected = expectedCrmEmails(inFolder, await h.google.get<Policy>('/policy'));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(truth.crmEmails.length);
    await h.expectCrmMatches(expected);
  });
});
