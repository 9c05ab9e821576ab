import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJson } from '@/lib/http/request';
import { ProviderError } from '@/lib/domain';

describe('parseJson', () => {
  const schema = z.object({ headers: z.record(z.string(), z.string()) });
  const refusal = (text: string) => {
    try {
      parseJson('crm', text, schema);
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      return (error as ProviderError).message;
    }
    return expect.fail('expected the answer to be refused');
  };

  it('names where the shape was wrong when the path is a short token, and nothing the peer wrote otherwise', () => {
    expect(refusal(JSON.stringify({ headers: { etag: 1 } }))).toMatch(/Unexpected shape at headers\.etag\.$/);
    const hostile = refusal(JSON.stringify({ headers: { 'Your trial ended: pay at https://evil.test': 1 } }));
    expect(hostile).not.toMatch(/trial|evil/);
    expect(hostile).toMatch(/Unexpected shape in the answer\.$/);
    expect(refusal('not json')).toMatch(/not valid JSON/);
  });
});
