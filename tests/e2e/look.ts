import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Frame, Locator, Page } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { expect, SCREENSHOT_DIR } from './fixtures';

/**
 * Saves a screenshot of the page, or of the one element `selector` finds (a section), in the light
 * and the dark theme (`<name>-light.png`, `<name>-dark.png` in `test-results/screenshots`), through
 * the browser's own colour-scheme setting, which the UI follows. The page is left in the light theme.
 * `selector` may be a locator: one inside a frame the page's selectors cannot reach (the sidebar's).
 */
export async function snapBothThemes(page: Page, name: string, selector?: string | Locator): Promise<void> {
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    const file = path.join(SCREENSHOT_DIR, `${name}-${colorScheme}.png`);
    const element = typeof selector === 'string' ? page.locator(selector) : selector;
    await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
  }
}

/**
 * Runs axe (WCAG 2.x A and AA rules) over the page, or over one part of it, in both themes, and
 * fails on any serious or critical violation, naming the rule and the elements.
 */
export async function expectAccessible(page: Page, include?: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
    if (include) builder = builder.include(include);
    expectNoGraveViolation(colorScheme, (await builder.analyze()).violations);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function expectNoGraveViolation(colorScheme: string, violations: AxeResults['violations']): void {
  const grave = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${colorScheme}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(grave, 'serious or critical accessibility violations').toEqual([]);
}

/**
 * `expectAccessible` for one frame the page's own DOM cannot reach (the sidebar's, inside a
 * closed shadow root, where axe's frame walk stops): axe runs inside the frame itself, in both
 * themes of the page.
 */
export async function expectFrameAccessible(page: Page, frame: Frame): Promise<void> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(source);
    const results = await frame.evaluate((tags) => (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
    expectNoGraveViolation(colorScheme, results.violations);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
