import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering lives in `eslint.config.js` and `npm test` lints the whole tree; these cases show
 * that each rule fires where it must and stays quiet where it must not.
 */
const eslint = new ESLint();

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => ['no-restricted-imports', 'no-restricted-globals', 'no-restricted-syntax'].includes(m.ruleId ?? '')).map((m) => m.ruleId!);
}

describe('architecture (ESLint layering)', () => {
  it.each([
    ['a lower layer importing the engine', 'lib/crm/x.ts', "import { a } from '../sync/jobs';\nexport const b = a;\n"],
    ['a provider importing the background', 'lib/providers/gmail/x.ts', "import { a } from '../../background/deps';\nexport const b = a;\n"],
    ['lib/platform importing auth', 'lib/platform/x.ts', "import { a } from '../auth/oauth';\nexport const b = a;\n"],
    ['crm and providers importing each other', 'lib/crm/x.ts', "import { a } from '@/lib/providers/gmail';\nexport const b = a;\n"],
    ['the UI importing the background', 'components/x/y.tsx', "import { a } from '@/lib/background';\nexport const b = a;\n"],
    ['chrome.* outside lib/platform', 'lib/http/x.ts', "export const f = () => chrome.alarms.clearAll();\n"],
    ['browser.* outside lib/platform', 'entrypoints/popup/x.ts', "export const f = () => browser.runtime.id;\n"],
    ["WXT's browser wrapper outside lib/platform", 'lib/sync/x.ts', "import { browser } from 'wxt/browser';\nexport const b = browser;\n"],
    ['a .catch that swallows its error', 'lib/background/x.ts', 'export const f = (p: Promise<void>) => p.catch(() => undefined);\n'],
    ['a .catch function that swallows its error', 'lib/background/x.ts', 'export const f = (p: Promise<void>) => p.catch(function () {});\n'],
    ['a .then whose rejection handler swallows the error', 'lib/background/x.ts', 'export const f = (p: Promise<boolean>) => p.then((v) => v, () => false);\n'],
  ])('refuses %s', async (_, filePath, code) => {
    expect(await refusals(filePath, code)).toHaveLength(1);
  });

  it.each([
    ['the engine importing the layers below it', 'lib/sync/x.ts', "import { a } from '../crm';\nimport { b } from '../db';\nimport { c } from '../async';\nexport const d = [a, b, c];\n"],
    ['lib/platform touching chrome.*', 'lib/platform/x.ts', "export const f = () => chrome.alarms.clearAll();\n"],
    ['a file importing its own folder', 'lib/http/x.ts', "import { a } from './retry';\nexport const b = a;\n"],
    ['a .catch that looks at its error', 'lib/http/x.ts', 'export const f = (p: Promise<void>) => p.catch((error: unknown) => { throw error; });\n'],
  ])('allows %s', async (_, filePath, code) => {
    expect(await refusals(filePath, code)).toEqual([]);
  });
});
