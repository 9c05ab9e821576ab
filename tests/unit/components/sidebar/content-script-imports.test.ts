import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The content scripts' budget (≤ 80 KB gzipped, issue 11) leaves no room for React or zod, and
 * either would still fit under it: so their import graph is checked here, not only their size.
 * Type-only imports are erased by the build and are not followed.
 */
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const ENTRYPOINTS = ['entrypoints/gmail.content/index.ts', 'entrypoints/outlook.content/index.ts'];
/** The packages a content script may load at run time. */
const PACKAGES = new Set(['wxt/browser', 'wxt/utils/define-content-script']);

/** A module's run-time imports (not `import type`, not `type`-only named lists). */
function runtimeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/gms)) {
    const [, , typeOnly, clause, spec] = match;
    if (typeOnly) continue;
    // `import { type A, type B } from …` is erased too.
    const names = /^\{([^}]*)\}$/.exec(clause!.trim())?.[1];
    if (names !== undefined && names.split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '))) continue;
    found.push(spec!);
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

function resolve(from: string, spec: string): string | null {
  const base = spec.startsWith('@/') ? path.join(ROOT, spec.slice(2)) : spec.startsWith('.') ? path.resolve(path.dirname(from), spec) : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${spec}`);
}

/** Every file and package a content script loads, from its entrypoint. */
function graph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      const next = resolve(file, spec);
      if (next === null) packages.add(spec);
      else walk(next);
    }
  };
  walk(path.join(ROOT, entry));
  return { files: [...files].map((file) => path.relative(ROOT, file)).sort(), packages: [...packages].sort() };
}

describe('the webmail content scripts', () => {
  it.each(ENTRYPOINTS)('%s loads no React, no zod, and nothing but the host, the readers and the port', (entry) => {
    const { files, packages } = graph(entry);
    expect(packages.filter((name) => !PACKAGES.has(name))).toEqual([]);
    const allowed = /^(entrypoints\/(gmail|outlook)\.content\/index\.ts|components\/sidebar\/host\/[\w-]+\.ts|lib\/platform\/sidebar-port\.ts|lib\/async\/token-bucket\.ts|lib\/webmail\/(gmail|outlook|new-mail|page|thread|sites|channel-constants)\.ts)$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
  });

  it('the import reader sees through the forms the host uses', () => {
    expect(runtimeImports("import type { A } from './a';\nimport { type B, type C } from './b';\nimport { d, type E } from './d';\nimport './e.css';")).toEqual(['./d', './e.css']);
  });
});
