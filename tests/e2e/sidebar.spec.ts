import path from 'node:path';
import { expect, fixtureHtml, SCREENSHOT_DIR, test } from './fixtures';

const webmails = [
  { name: 'Gmail', url: 'https://mail.google.com/mail/u/0/#inbox', routes: 'https://mail.google.com/**', fixture: 'gmail-inbox.html' },
  { name: 'Outlook', url: 'https://outlook.office.com/mail/', routes: 'https://outlook.office.com/**', fixture: 'outlook-inbox.html' },
];

for (const webmail of webmails) {
  test(`the content script mounts the sidebar in a shadow root on ${webmail.name}`, async ({ context }) => {
    await context.route(webmail.routes, (route) => route.fulfill({ contentType: 'text/html', body: fixtureHtml(webmail.fixture) }));
    const page = await context.newPage();
    await page.goto(webmail.url);

    const host = page.locator('mailbox-crm-sidebar');
    await expect(host).toBeAttached();
    expect(await host.evaluate((element) => element.shadowRoot !== null)).toBe(true);
    // Our styles stay inside the shadow root: the page's own button rule does not reach it.
    const toggle = host.getByRole('button', { name: 'CRM' });
    await expect(toggle).toHaveCSS('background-color', 'rgb(11, 87, 208)');
    await toggle.click();
    await expect(host.getByText(`Open a conversation in ${webmail.name} to see who is in your CRM.`)).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `sidebar-${webmail.name.toLowerCase()}.png`) });
  });
}
