import { emulatorAdmin } from '../support/emulator-admin';
import { admin, call, connectRileyAndCrm, CRM_URL, playwrightPage } from './engine-steps';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothThemes } from './look';

/** The CRM emulator's admin API: the mailbox records as the extension last wrote them. */
const crm = emulatorAdmin(CRM_URL);
const RILEY = 'riley@acme-sales.test';

/** Riley and the CRM connected; the mailbox is connected first, so an edit writes its CRM record. */
async function connectWithRecord(page: Parameters<typeof playwrightPage>[0]): Promise<void> {
  const inPage = playwrightPage(page);
  const id = await connectRileyAndCrm(inPage);
  await call(inPage, 'updateMailbox', { id, scope: 'sales' });
}

async function crmRecord(): Promise<{ address: string; status: string } | undefined> {
  const { mailboxes } = await crm.get<{ mailboxes: { address: string; status: string }[] }>('/crm/mailboxes');
  return mailboxes.find((m) => m.address.toLowerCase() === RILEY);
}

test.beforeEach(async () => {
  await admin.post('/reset');
});

test("disconnecting from the popup removes the CRM's record; a CRM that refuses is shown in plain words (R34, R37)", async ({ context, extensionId }) => {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 360, height: 560 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await connectWithRecord(popup);
  await popup.reload();
  expect(await crmRecord()).toMatchObject({ status: 'connected' });

  // The CRM refuses the removal once: the mailbox is gone here, and the popup says the CRM still lists it.
  await crm.fault({ path: '^/public/v1/mailboxes/', method: 'DELETE', status: 403, count: 1 });
  const row = popup.getByRole('listitem', { name: `Gmail · ${RILEY}` });
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await row.getByRole('button', { name: 'Yes, disconnect' }).click();
  const notice = popup.getByText(`${RILEY} is disconnected, but the CRM still lists it`);
  await expect(notice).toBeVisible();
  await expect(popup.getByText(/The CRM still lists riley@acme-sales\.test as a connected mailbox: .+ remove the mailbox in the CRM/)).toBeVisible();
  await expect(popup.getByRole('heading', { name: 'No mailbox connected yet' })).toBeVisible();
  expect(await crmRecord()).toMatchObject({ status: 'connected' });
  await expectAccessible(popup);
  await snapBothThemes(popup, 'popup-disconnect-crm-record-kept');

  // Connected and disconnected again with the CRM answering: its record goes, and no notice shows.
  await popup.reload();
  await connectWithRecord(popup);
  await popup.reload();
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await row.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(popup.getByRole('heading', { name: 'No mailbox connected yet' })).toBeVisible();
  await expect(notice).toHaveCount(0);
  expect(await crmRecord()).toBeUndefined();
});
