import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import { E2E_EMULATOR_PORT } from './global-setup';
import { emulatorAdmin } from '../support/emulator-admin';
import { expect, fixtureHtml, SCREENSHOT_DIR, test } from './fixtures';

/** The admin API of the Google emulator (its reset and config act on all three). */
const admin = emulatorAdmin(`http://127.0.0.1:${E2E_EMULATOR_PORT}`);

test.beforeEach(async () => {
  await admin.post('/reset');
  await admin.put('/config', { consent: 'allow' });
});

async function openPopup(page: Page, extensionId: string) {
  await page.setViewportSize({ width: 360, height: 520 });
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(page.getByRole('button', { name: 'Connect Gmail' })).toBeVisible();
}

test('connects Gmail and Outlook through launchWebAuthFlow against the emulators (R1, R2, R7)', async ({ context, extensionId }) => {
  const popup = await context.newPage();
  await openPopup(popup, extensionId);
  await popup.getByLabel('Used for').selectOption('sales');
  await popup.getByLabel('Backfill days').fill('30');

  await popup.getByRole('button', { name: 'Connect Gmail' }).click();
  const gmail = popup.getByRole('listitem', { name: 'Gmail · riley@acme-sales.test' });
  await expect(gmail).toContainText('Connected');
  // The sender identity read from Gmail's sendAs settings (R7).
  await expect(gmail).toContainText('Sends as Riley Rep, replies to sales@acme-sales.test');

  await popup.getByRole('button', { name: 'Connect Outlook' }).click();
  const outlook = popup.getByRole('listitem', { name: 'Outlook · support@acme-sales.test' });
  await expect(outlook).toContainText('Connected');
  await expect(outlook).toContainText('Sends as Acme Support');
  await popup.screenshot({ path: path.join(SCREENSHOT_DIR, 'popup-connected.png') });
});

test('a declined consent shows a clear message and connects nothing', async ({ context, extensionId }) => {
  await admin.put('/config', { consent: 'deny' });
  const popup = await context.newPage();
  await openPopup(popup, extensionId);
  await popup.getByRole('button', { name: 'Connect Outlook' }).click();
  const alert = popup.getByRole('alert');
  await expect(alert).toContainText('Could not connect Outlook');
  await expect(alert).toContainText('Access was declined on the consent screen. Connect again and choose Allow.');
  await expect(popup.getByRole('heading', { name: 'No mailbox connected yet' })).toBeVisible();
  await popup.screenshot({ path: path.join(SCREENSHOT_DIR, 'popup-consent-denied.png') });

  // Chrome closes the toolbar popup while the sign-in window has focus: the outcome waits for
  // the next time it opens, until dismissed.
  await popup.close();
  const reopened = await context.newPage();
  await openPopup(reopened, extensionId);
  await expect(reopened.getByRole('alert')).toContainText('Access was declined on the consent screen.');
  await reopened.getByRole('button', { name: 'Dismiss' }).click();
  await expect(reopened.getByRole('alert')).toHaveCount(0);
});

/** The content script's isolated world on a page, found through the DevTools protocol. */
async function contentScriptWorld(page: Page, cdp: CDPSession): Promise<number> {
  const contexts: { id: number; name: string; auxData?: { type?: string } }[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await expect.poll(() => contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'Mailbox to CRM')?.id).toBeDefined();
  return contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'Mailbox to CRM')!.id;
}

test('no token can be read from the content script on a webmail page', async ({ context, extensionId, worker }) => {
  const popup = await context.newPage();
  await openPopup(popup, extensionId);
  await popup.getByRole('button', { name: 'Connect Gmail' }).click();
  await expect(popup.getByRole('listitem', { name: 'Gmail · riley@acme-sales.test' })).toContainText('Connected');

  // The tokens exist, in the background's storage: the test below could find them if it leaked.
  const stored = await worker.evaluate(async () => ({
    local: await chrome.storage.local.get(null),
    session: await chrome.storage.session.get(null),
  }));
  const tokenOf = (value: unknown) => (value as { token?: unknown } | undefined)?.token;
  expect(Object.keys(stored.local)).toContain('auth.refresh.gmail:riley@acme-sales.test');
  expect(Object.keys(stored.session)).toContain('auth.access.gmail:riley@acme-sales.test');
  const refreshToken = tokenOf(stored.local['auth.refresh.gmail:riley@acme-sales.test']);
  const accessToken = tokenOf(stored.session['auth.access.gmail:riley@acme-sales.test']);
  expect(refreshToken).toEqual(expect.stringMatching(/\S/));
  expect(accessToken).toEqual(expect.stringMatching(/\S/));
  // Those two are every token stored, so the checks below look for each of them and nothing is missed.
  const tokens = [...Object.values(stored.local), ...Object.values(stored.session)].map(tokenOf).filter((token) => token !== undefined);
  expect([...tokens].sort()).toEqual([refreshToken, accessToken].sort());

  await context.route('https://mail.google.com/**', (route) => route.fulfill({ contentType: 'text/html', body: fixtureHtml('gmail-inbox.html') }));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto('https://mail.google.com/mail/u/0/#inbox');
  await expect(page.locator('[data-mailbox-crm-sidebar]')).toBeAttached();
  const contextId = await contentScriptWorld(page, cdp);

  const probe = async (expression: string) =>
    cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true });
  const attempts = {
    local: await probe('chrome.storage.local.get(null).then(JSON.stringify, (e) => "refused: " + e.message)'),
    session: await probe('(chrome.storage.session ? chrome.storage.session.get(null).then(JSON.stringify, (e) => "refused: " + e.message) : "refused: no session storage")'),
    page: await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage })),
  };
  expect(attempts.local.result.value).toMatch(/^refused: /);
  expect(attempts.session.result.value).toMatch(/^refused: /);
  for (const token of [refreshToken, accessToken] as string[]) expect(JSON.stringify(attempts)).not.toContain(token);
});

for (const method of ['OAuth', 'personal access token'] as const) {
  test(`connects the CRM with ${method} from the options page (R8)`, async ({ context, extensionId }) => {
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    const address = options.getByLabel('CRM address');
    // The build's suggested CRM address is pre-filled.
    await expect(address).toHaveValue(`http://127.0.0.1:${E2E_EMULATOR_PORT + 2}`);
    if (method === 'OAuth') {
      await options.getByLabel('Your CRM login (OAuth)').check();
    } else {
      await options.getByLabel('A personal access token').check();
      await options.getByLabel('Personal access token', { exact: true }).fill('crm_pat_demo');
    }
    await options.getByRole('button', { name: 'Connect CRM' }).click();
    const words = method === 'OAuth' ? 'your CRM login' : 'a personal access token';
    await expect(options.getByText(`Connected to http://127.0.0.1:${E2E_EMULATOR_PORT + 2} with ${words}.`)).toBeVisible();
    await options.screenshot({ path: path.join(SCREENSHOT_DIR, `options-crm-${method === 'OAuth' ? 'oauth' : 'pat'}.png`), fullPage: true });

    await options.getByRole('button', { name: 'Disconnect CRM' }).click();
    await expect(options.getByText('No CRM connected yet.')).toBeVisible();
    // A pasted token stays valid at the CRM: the page says where to revoke it.
    const revokeNotice = options.getByRole('alert').filter({ hasText: 'Revoke the personal access token at the CRM' });
    if (method === 'OAuth') await expect(revokeNotice).toHaveCount(0);
    else await expect(revokeNotice).toContainText(`settings → personal access tokens, at http://127.0.0.1:${E2E_EMULATOR_PORT + 2}`);
  });
}

test('a CRM address with user info, a query or a fragment is refused on the field, before any request', async ({ context, extensionId }) => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  const address = options.getByLabel('CRM address');
  for (const [typed, problem] of [
    [`http://user:pass@127.0.0.1:${E2E_EMULATOR_PORT + 2}`, 'The CRM address must not contain a user name or password.'],
    [`http://127.0.0.1:${E2E_EMULATOR_PORT + 2}/?x=1`, 'The CRM address must not contain a query (?…) or a fragment (#…).'],
    [`http://127.0.0.1:${E2E_EMULATOR_PORT + 2}/#top`, 'The CRM address must not contain a query (?…) or a fragment (#…).'],
  ] as const) {
    await address.fill(typed);
    await options.getByRole('button', { name: 'Connect CRM' }).click();
    await expect(address).toHaveAttribute('aria-invalid', 'true');
    await expect(address).toHaveAccessibleDescription(problem);
  }
  await expect(options.getByText('No CRM connected yet.')).toBeVisible();
});

test('a refused personal access token is explained and nothing is kept', async ({ context, extensionId, worker }) => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.getByLabel('A personal access token').check();
  await options.getByLabel('Personal access token', { exact: true }).fill('crm_pat_wrong_token');
  await options.getByRole('button', { name: 'Connect CRM' }).click();
  const alert = options.getByRole('alert');
  await expect(alert).toContainText('Could not connect the CRM');
  await expect(alert).toContainText('The CRM needs you to sign in again.');
  expect(Object.keys(await worker.evaluate(() => chrome.storage.local.get(null))).filter((k) => k.startsWith('auth.'))).toEqual([]);
});
