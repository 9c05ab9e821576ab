import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPkcePair, randomToken } from '@/lib/auth/pkce';

describe('PKCE (RFC 7636)', () => {
  it('derives the S256 challenge from the verifier', async () => {
    const pair = await createPkcePair();
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.challenge).toBe(createHash('sha256').update(pair.verifier).digest('base64url'));
    expect(pair.method).toBe('S256');
  });

  it('makes a new verifier every time', () => {
    expect(new Set(Array.from({ length: 50 }, () => randomToken())).size).toBe(50);
  });
});
