import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** A transaction, or a table of the database, reached from outside `lib/db`. */
const DIRECT_ACCESS = /\.transaction\(|\bdb\.(?:table\(|mailboxes|messages|contacts|threadLinks|outbox|syncRuns|checkpoints|verdicts|jobs)\b/;

describe('data access lives in lib/db', () => {
  it('no file outside lib/db opens a transaction or touches a table', () => {
    const files = [...sources('lib'), ...sources('components'), ...sources('entrypoints')].filter((file) => !file.startsWith('lib/db/'));
    expect(files).toContain('lib/background/mailboxes.ts');
    const offending = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (DIRECT_ACCESS.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });
});
