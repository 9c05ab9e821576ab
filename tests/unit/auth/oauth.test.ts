import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type OAuthClient, refresh, type WebAuthFlow } from '@/lib/auth/oauth';
import { failure } from '../../support/provider-error';

/**
 * A hostile authorization server chooses the `error` of its answers (RFC 6749 §4.1.2.1 in the
 * redirect, §5.2 from the token endpoint): the extension quotes it only when it is a short token.
 * The token endpoint is a small local server answering 400 with whatever `error` the test names.
 */
const HOSTILE = 'Your account is suspended. Call +1 555 0100 or visit https://evil.test/restore';
let server: Server;
let tokenError = '';
let client: OAuthClient;

beforeAll(async () => {
  server = createServer((_, response) => {
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: tokenError }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = {
    source: 'crm',
    issuer: origin,
    issuerRequired: false,
    revocationEndsAuthorization: false,
    authorizeUrl: `${origin}/authorize`,
    tokenUrl: `${origin}/token`,
    revokeUrl: null,
    clientId: 'extension',
    clientSecret: '',
    scopes: ['emails:write'],
    redirectUri: 'https://extension-id.chromiumapp.org/crm',
  };
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A sign-in that answers on the client's own redirect URL, with this run's state and `params`. */
const answering =
  (params: Record<string, string>): WebAuthFlow =>
  async (url) => {
    const answer = new URL(client.redirectUri);
    answer.searchParams.set('state', new URL(url).searchParams.get('state')!);
    for (const [key, value] of Object.entries(params)) answer.searchParams.set(key, value);
    return answer.toString();
  };

describe('errors an authorization server words itself', () => {
  it("quotes the sign-in answer's error only when it is a short token", async () => {
    const known = await failure(authorize(client, answering({ error: 'unsupported_response_type' }), { interactive: true }));
    expect(known.message).toContain('"unsupported_response_type"');
    const hostile = await failure(authorize(client, answering({ error: HOSTILE }), { interactive: true }));
    expect(hostile.data).toMatchObject({ code: 'bad_response', retryable: false });
    expect(hostile.message).not.toMatch(/suspended|evil|555/);
    expect(hostile.message).toMatch(/refused the sign-in/);
  });

  it("quotes the token endpoint's error only when it is a short token", async () => {
    tokenError = 'unsupported_grant_type';
    expect((await failure(refresh(client, 'r'))).message).toContain('"unsupported_grant_type"');
    tokenError = HOSTILE;
    for (const call of [() => refresh(client, 'r'), () => authorize(client, answering({ code: 'c' }), { interactive: true })]) {
      const hostile = await failure(call());
      expect(hostile.data).toMatchObject({ code: 'bad_response', retryable: false });
      expect(hostile.message).not.toMatch(/suspended|evil|555/);
      expect(hostile.message).toMatch(/token endpoint refused the request/);
    }
  });
});
