import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extensionIdFromKey } from '@/lib/config/extension-id';

describe('extensionIdFromKey', () => {
  it('derives the pinned id from the committed public key', async () => {
    const key = readFileSync('keys/extension-dev.pub', 'utf8');
    expect(await extensionIdFromKey(key)).toBe('caciholiefihaajpdhopelakjjeojlim');
  });
});
