import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, SCREENSHOT_DIR } from './fixtures';

/**
 * Saves a screenshot of the page, or of the one element `selector` finds (a section), in the light
 * and the dark theme (`<name>-light.png`, `<name>-dark.png` in `test-results/screenshots`), through
 * the browser's own colour-scheme setting, which the UI follows. The page is left in the light theme.
 */
export async function snapBothThemes(page: Page, name: string, selector?: string): Promise<void> {
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    const file = path.join(SCREENSHOT_DIR, `${name}-${colorScheme}.png`);
    await (selector ? page.locator(selector).screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
  }
}

/**
 * Runs axe (WCAG 2.x A and AA rules) over the page, or over one part of it, in both themes, and
 * fails on any serious or critical violation, naming the rule and the elements.
 */
export async function expectAccessible(page: Page, include?: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
    if (include) builder = builder.include(include);
    const { violations } = await builder.analyze();
    const grave = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${colorScheme}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(grave, 'serious or critical accessibility violations').toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
