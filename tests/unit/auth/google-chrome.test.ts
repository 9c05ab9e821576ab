import { describe, expect, it } from 'vitest';
import { chromeAuthFailure, chromeTokenSource } from '@/lib/auth/google-chrome';
import { failure } from '../../support/provider-error';

/**
 * `identity.getAuthToken` rejects with Chromium's own texts (identity_constants.cc, and
 * GoogleServiceAuthError::ToString after "OAuth2 request failed: "). Only the ones that need the
 * user are "reconnect needed"; being offline is a network failure that a later call can survive.
 */
describe("Chrome's getAuthToken failures (issue 8 §2.4)", () => {
  it.each([
    ['OAuth2 request failed: Connection failed (-106).', 'network'],
    ['OAuth2 request failed: Connection failed (-105).', 'network'],
    ['Authorization page could not be loaded.', 'network'],
    ['OAuth2 request failed: Service unavailable; try again later.', 'server'],
    ['OAuth2 not granted or revoked.', 'reauth_required'],
    ['The user is not signed in.', 'reauth_required'],
    ['The user turned off browser signin', 'reauth_required'],
    ['User interaction required.', 'reauth_required'],
    ['OAuth2 request failed: Invalid credentials (credentials rejected by server).', 'reauth_required'],
    ['The user did not approve access.', 'insufficient_permissions'],
    ['Invalid OAuth2 Client ID.', 'bad_response'],
    ["OAuth2 request failed: Service responded with error: 'bad client id: 123'", 'bad_response'],
  ])('%s → %s', (text, code) => {
    expect(chromeAuthFailure(new Error(text)).code).toBe(code);
  });

  it('a silent token request made offline is retryable, not "reconnect needed"', async () => {
    const source = chromeTokenSource({
      getToken: async () => {
        throw new Error('OAuth2 request failed: Connection failed (-106).');
      },
      removeToken: async () => undefined,
    });
    const error = await failure(source.token());
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.data.action).toBe('retry');
  });

  it('a setup fault says where to fix it and is not retried', () => {
    const error = chromeAuthFailure(new Error('Invalid OAuth2 Client ID.'));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/client id in the build settings/);
  });
});
