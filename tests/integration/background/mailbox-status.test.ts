import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import type { BackgroundDeps } from '@/lib/background/deps';
import { withMailboxState } from '@/lib/background/mailbox-status';
import { connectMailbox, mailboxProvider } from '@/lib/background/mailboxes';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';

let emulators: RunningEmulators;
let deps: BackgroundDeps;
let google: EmulatorAdmin;

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  google = emulatorAdmin(emulators.urls.google);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  deps = emulatorBackgroundDeps(emulators.urls);
  await google.post('/reset');
});

describe('a mailbox blocked until the user acts (R12)', () => {
  it("Gmail's daily limit used up (403 dailyLimitExceeded) puts the mailbox in its error state, to wait; success clears it", async () => {
    const mailbox = await connectMailbox(deps, { provider: 'gmail', scope: 'sales', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 14 });
    await google.fault({ path: '/profile$', status: 403, reason: 'dailyLimitExceeded' });

    const failed = await failure(withMailboxState(deps, mailbox.id, () => mailboxProvider(deps, mailbox).currentCursor()));
    expect(failed.data).toMatchObject({ code: 'quota_exhausted', retryable: false });
    expect(await deps.db.mailboxes.get(mailbox.id)).toMatchObject({
      status: 'error',
      lastError: { code: 'quota_exhausted', action: 'wait', message: "Gmail's daily limit for this account is used up. It resets at midnight Pacific time." },
    });
    // The time it ends is kept with the error, for the popup and for the engine's "not before".
    expect(failed.data.retryAfterMs).toBeGreaterThan(0);
    // Google answered it once: a used-up daily quota is not retried.
    expect((await google.requests('/profile$')).filter((r) => r.status === 403)).toHaveLength(1);

    await withMailboxState(deps, mailbox.id, () => mailboxProvider(deps, mailbox).currentCursor());
    expect(await deps.db.mailboxes.get(mailbox.id)).toMatchObject({ status: 'connected', lastError: null });
  });
});
