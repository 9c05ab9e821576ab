import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext, chromium, test as base, type Worker } from '@playwright/test';

/** The build `npm run test:e2e` makes first (`wxt build --mode e2e`), pointed at the emulators. */
export const EXTENSION_DIR = path.resolve('.output/chrome-mv3-e2e');
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

/** Serves a fixture page at a real webmail URL, so the content scripts' matches apply. */
export function fixtureHtml(name: string): string {
  return readFileSync(path.resolve('tests/fixtures/webmail', name), 'utf8');
}

/**
 * A fresh Chromium profile with the extension loaded. Debian's Chromium, headless; the
 * background-networking flags keep it from dialling Google, which this machine cannot reach.
 */
export const test = base.extend<{ context: BrowserContext; worker: Worker; extensionId: string }>({
  context: async ({}, use) => {
    const context = await chromium.launchPersistentContext('', {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    await use(context);
    await context.close();
  },
  worker: async ({ context }, use) => {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
    await use(worker);
  },
  extensionId: async ({ worker }, use) => {
    await use(new URL(worker.url()).host);
  },
});

export const expect = test.expect;
