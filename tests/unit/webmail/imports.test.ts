import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The content script imports the page readers directly, and its gzipped budget is tiny: these
 * files may import only one another (no zod, no package, not the index, which pulls zod in).
 */
const READER_FILES = ['gmail.ts', 'outlook.ts', 'new-mail.ts', 'page.ts', 'thread.ts'];
const ALLOWED = new Set(READER_FILES.map((file) => `./${file.replace(/\.ts$/, '')}`));

describe('the page readers stay dependency-free', () => {
  it.each(READER_FILES)('%s imports only the other reader files', (file) => {
    const source = readFileSync(new URL(`../../../lib/webmail/${file}`, import.meta.url), 'utf8');
    const imported = [...source.matchAll(/\b(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
    expect(imported.filter((path) => !ALLOWED.has(path!))).toEqual([]);
  });
});
