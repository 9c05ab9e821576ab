import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Source files of the extension, outside `lib/platform`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === path.join('lib', 'platform') ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

/** Code lines only: JSDoc and line comments may mention `chrome.*` when they explain why. */
function codeLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line));
}

describe('architecture', () => {
  it('only lib/platform touches the extension APIs', () => {
    const offenders = ['lib', 'components', 'entrypoints'].flatMap(sourceFiles).flatMap((file) =>
      codeLines(file)
        .filter((line) => /from 'wxt\/(browser|utils\/storage)'|(?<![\w.'"`])(chrome|browser)\.[a-z]/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
