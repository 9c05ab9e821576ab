import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../core/context';
import { codeRequest, isRegisteredRedirect, type OAuthFailure } from '../core/oauth';
import type { CrmDeps } from './api-context';
import { CRM_SCOPES } from './auth';
import { fail } from './errors';

const authorizeSchema = z.object({ client_id: z.string().min(1), redirect_uri: z.url() });

const tokenSchema = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    redirect_uri: z.string().min(1),
    client_id: z.string().min(1),
    code_verifier: z.string().min(43).max(128),
  }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1), client_id: z.string().min(1) }),
]);

const GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);

const GRANT_FAILURES: Partial<Record<OAuthFailure, string>> = {
  invalid_code: 'The authorization code is invalid, expired or already used.',
  redirect_mismatch: 'redirect_uri does not match the one the code was issued for.',
  client_mismatch: 'The code was issued to another client.',
  pkce_failed: 'code_verifier does not match the code_challenge.',
  invalid_refresh_token: 'The refresh token is invalid or revoked.',
  refresh_token_expired: 'The refresh token has expired.',
};

/** RFC 6749's error JSON for the token and revoke endpoints. */
const oauthError = (error: string, description: string) => ({ error, error_description: description });

/**
 * `GET /oauth/authorize` (code + PKCE S256, consent from `ctx.config.consent`; a redirect_uri not
 * registered for the client is answered here, never redirected to; every redirect carries `iss`,
 * RFC 9207, the CRM's base URL, which is this server's origin),
 * `POST /oauth/token` (code and rotating refresh grants) and `POST /oauth/revoke` (RFC 7009).
 */
export function oauthRoutes(deps: CrmDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { store, auth, ctx } = deps;

  app.get('/oauth/authorize', (c) => {
    const query = c.req.query();
    const target = authorizeSchema.safeParse(query);
    // Nowhere safe to send the user back to: answer here.
    if (!target.success) return fail(c, 400, 'invalid_request', 'client_id and an absolute redirect_uri are required.');
    if (!isRegisteredRedirect(ctx.config, 'crm', target.data.client_id, target.data.redirect_uri)) {
      return fail(c, 400, 'invalid_request', 'redirect_uri is not registered for this client.');
    }
    const issuer = new URL(c.req.url).origin;
    const redirect = (params: Record<string, string>) => {
      const url = new URL(target.data.redirect_uri);
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      if (query.state !== undefined) url.searchParams.set('state', query.state);
      url.searchParams.set('iss', issuer);
      return c.redirect(url.toString(), 302);
    };

    if (query.response_type !== 'code') return redirect({ error: 'unsupported_response_type', error_description: 'response_type must be code.' });
    const challenge = query.code_challenge ?? '';
    if (query.code_challenge_method !== 'S256' || challenge.length < 43 || challenge.length > 128) {
      return redirect({ error: 'invalid_request', error_description: 'PKCE is required: code_challenge with code_challenge_method=S256.' });
    }
    const scopes = (query.scope ?? CRM_SCOPES.join(' ')).split(/\s+/).filter(Boolean);
    const unknown = scopes.filter((s) => !(CRM_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0 || scopes.length === 0) return redirect({ error: 'invalid_scope', error_description: `Unknown scope: ${unknown.join(' ')}` });
    if (ctx.config.consent === 'deny') return redirect({ error: 'access_denied', error_description: 'The user declined to authorize the application.' });

    const user = (query.login_hint && store.userByEmail(query.login_hint)) || store.users[0];
    if (!user) return redirect({ error: 'server_error', error_description: 'No CRM user in this world.' });
    const code = auth.oauth.issueCode(codeRequest({ ...target.data, code_challenge: challenge, code_challenge_method: query.code_challenge_method }, user.email, scopes.join(' ')));
    return redirect({ code });
  });

  app.post('/oauth/token', async (c) => {
    const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
    if (!form.grant_type) return c.json(oauthError('invalid_request', 'grant_type is required.'), 400);
    if (!GRANT_TYPES.has(form.grant_type)) return c.json(oauthError('unsupported_grant_type', `grant_type ${form.grant_type} is not supported.`), 400);
    const parsed = tokenSchema.safeParse(form);
    if (!parsed.success) return c.json(oauthError('invalid_request', `Missing or invalid parameter: ${parsed.error.issues[0]?.path.join('.')}.`), 400);
    const input = parsed.data;
    const result =
      input.grant_type === 'authorization_code'
        ? auth.oauth.exchangeCode({ code: input.code, clientId: input.client_id, redirectUri: input.redirect_uri, codeVerifier: input.code_verifier })
        : auth.oauth.refresh({ refreshToken: input.refresh_token, clientId: input.client_id });
    if (typeof result === 'string') return c.json(oauthError('invalid_grant', GRANT_FAILURES[result] ?? 'The grant is invalid.'), 400);
    return c.json(result, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });

  app.post('/oauth/revoke', async (c) => {
    const token = new URLSearchParams(await c.req.text()).get('token');
    if (!token) return c.json(oauthError('invalid_request', 'token is required.'), 400);
    auth.revoke(token);
    return c.body(null, 200);
  });

  return app;
}
