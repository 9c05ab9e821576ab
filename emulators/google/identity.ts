import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, EmulatorContext } from '../core/context';
import { codeRequest, isRegisteredRedirect, OAuthCore, type OAuthFailure, type TokenSet } from '../core/oauth';
import { oauthError } from './errors';
import type { GmailStore } from './mail-store';
import { normaliseScopes } from './operations';

/**
 * Google's OAuth 2.0 endpoints for one world: codes and tokens through OAuthCore (access tokens
 * `ya29.`, refresh tokens `1//` that neither rotate nor expire), the consents granted so far
 * (for `prompt=none`), and which refresh tokens exist (handed out only with access_type=offline).
 */
export class GoogleIdentity {
  readonly oauth: OAuthCore;
  private consents = new Map<string, Set<string>>();
  /** Codes from an `access_type=offline` request: only their exchange hands out a refresh token. */
  readonly offlineCodes = new Set<string>();

  constructor(ctx: EmulatorContext) {
    this.oauth = new OAuthCore({
      accessPrefix: 'ya29.',
      refreshPrefix: '1//',
      accessTtlSec: () => ctx.config.accessTokenTtlSec,
      refreshTtlSec: () => null,
      revokes: 'authorization',
    });
  }

  reset(): void {
    this.consents.clear();
    this.offlineCodes.clear();
  }

  forgetConsent(clientId: string, user: string): void {
    this.consents.delete(`${clientId}\n${user}`);
  }

  recordConsent(clientId: string, user: string, scopes: string[]): void {
    const key = `${clientId}\n${user}`;
    const set = this.consents.get(key) ?? new Set<string>();
    for (const scope of scopes) set.add(scope);
    this.consents.set(key, set);
  }

  hasConsent(clientId: string, user: string, scopes: string[]): boolean {
    const set = this.consents.get(`${clientId}\n${user}`);
    return !!set && scopes.every((scope) => set.has(scope));
  }

  /** Every scope the user granted this client so far. */
  consented(clientId: string, user: string): string[] {
    return [...(this.consents.get(`${clientId}\n${user}`) ?? [])];
  }
}

const authorizeSchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().url(),
  response_type: z.string().min(1),
  scope: z.string().min(1),
  state: z.string().optional(),
  code_challenge: z.string().min(43).max(128).optional(),
  code_challenge_method: z.enum(['S256', 'plain']).optional(),
  login_hint: z.string().optional(),
  // Google takes a space-separated list: "consent select_account".
  prompt: z.string().regex(/^(none|consent|select_account)( (consent|select_account))*$/).optional(),
  access_type: z.enum(['online', 'offline']).optional(),
  include_granted_scopes: z.enum(['true', 'false']).optional(),
});

/** Google's own page for a request it cannot even redirect back from. */
function errorPage(detail: string, error = 'invalid_request'): Response {
  const html = `<!doctype html><title>Error 400: ${error}</title><h1>Access blocked: Authorization Error</h1><p>Error 400: ${error}</p><p>${detail.replace(/[<>&]/g, '')}</p>`;
  return new Response(html, { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/** OAuthCore's refusal in Google's words (token endpoint, HTTP 400). */
function tokenFailure(failure: OAuthFailure): { error: string; error_description: string } {
  switch (failure) {
    case 'pkce_failed':
      return oauthError('invalid_grant', 'Invalid code verifier.');
    case 'redirect_mismatch':
      return oauthError('redirect_uri_mismatch', 'Bad Request');
    case 'client_mismatch':
      return oauthError('unauthorized_client', 'Unauthorized');
    case 'invalid_refresh_token':
    case 'refresh_token_expired':
      return oauthError('invalid_grant', 'Token has been expired or revoked.');
    default:
      return oauthError('invalid_grant', 'Bad Request');
  }
}

const NO_STORE = { 'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate', Pragma: 'no-cache' };

/** Reads a form body (token and revoke take application/x-www-form-urlencoded). */
const formOf = async (request: Request) => Object.fromEntries(new URLSearchParams(await request.text()));

/**
 * `GET /o/oauth2/v2/auth` (accounts.google.com), `POST /token` and `POST /revoke`
 * (oauth2.googleapis.com). Consent is automatic: `ctx.config.consent` decides it. A redirect_uri
 * not registered for the client gets Google's `redirect_uri_mismatch` page, never a redirect.
 * Every redirect carries `iss` (RFC 9207), as Google's does: the issuer `https://accounts.google.com`
 * is the origin of the authorize endpoint, here the emulator's own.
 */
export function identityRoutes(identity: GoogleIdentity, ctx: EmulatorContext, store: GmailStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/o/oauth2/v2/auth', (c) => {
    const parsed = authorizeSchema.safeParse(c.req.query());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? 'request';
      return errorPage(issue?.code === 'invalid_type' ? `Missing required parameter: ${field}` : `Invalid parameter value for ${field}: ${issue?.message ?? ''}`);
    }
    const input = parsed.data;
    if (!isRegisteredRedirect(ctx.config, 'google', input.client_id, input.redirect_uri)) {
      return errorPage(`You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. Register the redirect URI in the Google Cloud Console. Request details: redirect_uri=${input.redirect_uri}`, 'redirect_uri_mismatch');
    }
    const issuer = new URL(c.req.url).origin;
    const redirect = (params: Record<string, string>) => {
      const url = new URL(input.redirect_uri);
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      if (input.state !== undefined) url.searchParams.set('state', input.state);
      url.searchParams.set('iss', issuer);
      return c.redirect(url.toString(), 302);
    };
    if (input.response_type !== 'code') return redirect({ error: 'unsupported_response_type' });

    const mailbox = (input.login_hint ? store.mailboxByAddress(input.login_hint) : undefined) ?? store.all()[0];
    if (!mailbox) return errorPage('No Gmail mailbox is seeded in this world.');
    const user = mailbox.mailbox.address;
    const scopes = normaliseScopes(input.scope);
    const prompts = input.prompt?.split(' ') ?? [];

    if (prompts.includes('none')) {
      if (!identity.hasConsent(input.client_id, user, scopes)) return redirect({ error: 'consent_required' });
    } else if (ctx.config.consent === 'deny') {
      return redirect({ error: 'access_denied' });
    }
    // Incremental authorization: with include_granted_scopes the grant keeps earlier scopes too.
    const earlier = input.include_granted_scopes === 'true' ? identity.consented(input.client_id, user) : [];
    identity.recordConsent(input.client_id, user, scopes);
    const granted = [...new Set([...earlier, ...scopes])];
    const code = identity.oauth.issueCode(codeRequest(input, user, granted.join(' ')));
    if (input.access_type === 'offline') identity.offlineCodes.add(code);
    return redirect({ code, scope: granted.join(' ') });
  });

  app.post('/token', async (c) => {
    const form = await formOf(c.req.raw);
    const missing = (name: string) => c.json(oauthError('invalid_request', `Missing required parameter: ${name}`), 400, NO_STORE);
    if (!form.grant_type) return missing('grant_type');
    if (!form.client_id) return c.json(oauthError('invalid_client', 'The OAuth client was not found.'), 401, NO_STORE);
    let result: TokenSet | OAuthFailure;
    // A refresh grant returns no new refresh token (Google's do not rotate): OAuthCore makes none.
    let offline = true;
    if (form.grant_type === 'authorization_code') {
      if (!form.code) return missing('code');
      if (!form.redirect_uri) return missing('redirect_uri');
      offline = identity.offlineCodes.delete(form.code);
      result = identity.oauth.exchangeCode({ code: form.code, clientId: form.client_id, redirectUri: form.redirect_uri, codeVerifier: form.code_verifier ?? null });
    } else if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) return missing('refresh_token');
      result = identity.oauth.refresh({ refreshToken: form.refresh_token, clientId: form.client_id });
    } else {
      return c.json(oauthError('unsupported_grant_type', `Invalid grant_type: ${form.grant_type}`), 400, NO_STORE);
    }
    if (typeof result === 'string') return c.json(tokenFailure(result), 400, NO_STORE);
    // An online grant's refresh token is never handed out, so nobody can use it.
    const { refresh_token, ...rest } = result;
    return c.json({ ...rest, ...(offline && refresh_token ? { refresh_token } : {}) }, 200, NO_STORE);
  });

  app.post('/revoke', async (c) => {
    const token = c.req.query('token') ?? (await formOf(c.req.raw)).token;
    if (!token) return c.json(oauthError('invalid_request', 'Missing required parameter: token'), 400);
    const revoked = identity.oauth.revoke(token);
    if (!revoked) return c.json(oauthError('invalid_token', 'Token expired or revoked'), 400);
    // The app's access to the account is gone: the next sign-in asks for consent again.
    identity.forgetConsent(revoked.clientId, revoked.user);
    return c.json({}, 200);
  });

  return app;
}
