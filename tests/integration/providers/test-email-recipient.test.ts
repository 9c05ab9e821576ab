import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import type { BackgroundDeps } from '@/lib/background/deps';
import { connectMailbox, mailboxProvider } from '@/lib/background/mailboxes';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';

/** The test email (R31) names exactly one recipient, on both providers, before anything is sent. */
let emulators: RunningEmulators;
let deps: BackgroundDeps;
let admins: Record<'gmail' | 'outlook', EmulatorAdmin>;
const SEND_PATHS = { gmail: /\/messages\/send$/, outlook: /\/sendMail$/ };

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  admins = { gmail: emulatorAdmin(emulators.urls.google), outlook: emulatorAdmin(emulators.urls.microsoft) };
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  deps = emulatorBackgroundDeps(emulators.urls);
  await admins.gmail.post('/reset');
});

describe.each(['gmail', 'outlook'] as const)('%s test email recipient', (provider) => {
  it('refuses anything but one mailbox, for good, and sends nothing', async () => {
    const mailbox = await connectMailbox(deps, { provider, scope: 'sales', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 14 });
    const client = mailboxProvider(deps, mailbox);
    const before = (await admins[provider].requests()).at(-1)?.seq ?? 0;
    // A quoted local part is written unquoted: `"a,b"@evil.test` would be `To: a,b@evil.test`.
    for (const to of ['v@x.test\r\nBcc: a@evil.test', 'v@x.test\nBcc: a@evil.test', 'v@x.test, a@evil.test', 'Team: v@x.test;', '"a,b"@evil.test', '"a>,<b"@evil.test']) {
      const error = await failure(client.sendTestEmail({ to, subject: 'Test', body: 'Hello' }));
      expect(error).toMatchObject({ code: 'bad_response', retryable: false, message: expect.stringMatching(/exactly one valid email address/) });
    }
    // Refused before any request at all, not only before the send.
    expect(await admins[provider].requests(undefined, { since: before })).toEqual([]);
    // One mailbox is sent, to that mailbox alone.
    await client.sendTestEmail({ to: 'Sam <sam@x.test>', subject: 'Test', body: 'Hello' });
    expect((await admins[provider].requests(SEND_PATHS[provider])).map((r) => r.status)).toEqual([provider === 'gmail' ? 200 : 202]);
  });
});
