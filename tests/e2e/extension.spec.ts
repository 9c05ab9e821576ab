import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extensionIdFromKey } from '../../lib/config/extension-id';
import { expect, SCREENSHOT_DIR, test } from './fixtures';

test('the background worker starts under the pinned extension id and serves messages', async ({ worker, extensionId }) => {
  expect(worker.url()).toBe(`chrome-extension://${extensionId}/background.js`);
  expect(extensionId).toBe(await extensionIdFromKey(readFileSync('keys/extension-dev.pub', 'utf8')));
  // Its entrypoint ran to the end: the protocol's listener is registered.
  expect(await worker.evaluate(() => chrome.runtime.onMessage.hasListeners())).toBe(true);
});

test('the background answers protocol messages only: constructor, __proto__ and toString get no answer', async ({ context, extensionId }) => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  // Raw messages in the wire format of @webext-core/messaging, sent from an extension page (trusted).
  const send = (type: string) =>
    options.evaluate(
      (t) =>
        chrome.runtime.sendMessage({ id: 1, type: t, data: {}, timestamp: Date.now() }).then(
          (answer) => (answer === undefined ? 'no answer' : JSON.stringify(answer)),
          (error: Error) => `no answer: ${error.message}`,
        ),
      type,
    );
  expect(JSON.parse(await send('getOverview'))).toMatchObject({ res: { ok: true, value: { mailboxes: [] } } });
  for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(await send(type)).toMatch(/^no answer/);
});

test('the popup shows the empty state the background reports', async ({ context, extensionId }) => {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 360, height: 260 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByRole('heading', { name: 'No mailbox connected yet' })).toBeVisible();
  await expect(popup.getByRole('button', { name: 'Open settings' })).toBeVisible();
  await popup.screenshot({ path: path.join(SCREENSHOT_DIR, 'popup-empty.png') });

  // The button opens the options page in a tab, which loads its data from the background too.
  const [options] = await Promise.all([context.waitForEvent('page'), popup.getByRole('button', { name: 'Open settings' }).click()]);
  await expect(options.getByRole('heading', { name: 'Mailbox to CRM settings' })).toBeVisible();
  await expect(options.getByText('No CRM connected yet.')).toBeVisible();
  // One redirect URL per authorization server, to register with each (issue 8 §1.1).
  for (const server of ['google', 'microsoft', 'crm']) {
    await expect(options.getByTestId(`oauth-redirect-url-${server}`)).toHaveText(`https://${extensionId}.chromiumapp.org/${server}`);
  }
  await options.screenshot({ path: path.join(SCREENSHOT_DIR, 'options-empty.png'), fullPage: true });
});
