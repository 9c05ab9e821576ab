import { describe, expect, it } from 'vitest';
import { decodeBase64Url, decodeBase64UrlText, encodeBase64, encodeBase64Url, encodeBase64UrlText } from '@/lib/encoding/base64';

/** RFC 4648 §10's test vectors: the base64 of "", "f", "fo", … "foobar". */
const RFC_4648 = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
] as const;
const bytes = (text: string) => new TextEncoder().encode(text);

describe('base64 (RFC 4648)', () => {
  it.each(RFC_4648)('encodes %j as %j, and base64url without the padding', (text, base64) => {
    expect(encodeBase64(bytes(text))).toBe(base64);
    expect(encodeBase64Url(bytes(text))).toBe(base64.replace(/=+$/, ''));
    expect(encodeBase64UrlText(text)).toBe(base64.replace(/=+$/, ''));
  });

  it.each(RFC_4648)('decodes the base64 of %j, padded or not', (text, base64) => {
    expect(decodeBase64Url(base64)).toEqual(bytes(text));
    expect(decodeBase64Url(base64.replace(/=+$/, ''))).toEqual(bytes(text));
    expect(decodeBase64UrlText(base64.replace(/=+$/, ''))).toBe(text);
  });

  it('uses the URL alphabet (§5) where standard base64 has + and /, and reads either', () => {
    const edge = Uint8Array.from([0xfb, 0xef, 0xff]);
    expect(encodeBase64(edge)).toBe('++//');
    expect(encodeBase64Url(edge)).toBe('--__');
    expect(decodeBase64Url('--__')).toEqual(edge);
    expect(decodeBase64Url('++//')).toEqual(edge);
  });

  it('agrees with Node’s Buffer on UTF-8 text and on input longer than one encoding chunk', () => {
    const text = 'Prüfung ✓ — Zoë 😀';
    expect(encodeBase64UrlText(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
    expect(decodeBase64UrlText(Buffer.from(text, 'utf8').toString('base64url'))).toBe(text);
    const large = Uint8Array.from({ length: 0x8000 * 2 + 7 }, (_, i) => (i * 31) % 256);
    expect(encodeBase64(large)).toBe(Buffer.from(large).toString('base64'));
    expect(decodeBase64Url(encodeBase64Url(large))).toEqual(large);
  });

  it('reads a line-wrapped text, and answers null for what is not base64 or not UTF-8', () => {
    expect(decodeBase64Url('Zm9v\r\nYmFy')).toEqual(bytes('foobar'));
    for (const bad of ['Z', 'Zm9v%', '%%%']) expect(decodeBase64Url(bad)).toBeNull();
    expect(decodeBase64UrlText('Zm9v%')).toBeNull();
    // 0xFF never occurs in UTF-8.
    expect(decodeBase64UrlText('_w')).toBeNull();
  });
});
