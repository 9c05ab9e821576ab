import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, EmulatorContext } from '../core/context';
import { codeRequest, isRegisteredRedirect, OAuthCore, type OAuthFailure, type TokenSet } from '../core/oauth';
import { aadError, timeSpan } from './aad-errors';
import { stableGuid } from './ids';
import type { MailboxState, MailStore } from './mail-store';

const GRAPH_RESOURCE = 'https://graph.microsoft.com/';
/** Scopes that are about the sign-in, not Graph permissions. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const TENANT = /^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9.-]+\.[a-z]{2,})$/i;

/** Splits a scope string, dropping Graph's resource prefix (`https://graph.microsoft.com/Mail.Read`). */
export function normaliseScopes(scope: string): string[] {
  const out: string[] = [];
  for (const raw of scope.split(/\s+/).filter(Boolean)) {
    const name = raw.toLowerCase().startsWith(GRAPH_RESOURCE) ? raw.slice(GRAPH_RESOURCE.length) : raw;
    if (name === '.default') continue;
    if (!out.some((s) => s.toLowerCase() === name.toLowerCase())) out.push(name);
  }
  return out;
}

/**
 * The Microsoft identity platform (v2.0 endpoints) for one world: codes and tokens through
 * OAuthCore, consents granted so far, and the switch that makes silent sign-in fail.
 */
export class Identity {
  readonly oauth: OAuthCore;
  readonly tenantId: string;
  /** client id + user -> scopes the user consented to (recorded when a code is issued). */
  private consents = new Map<string, Set<string>>();
  /**
   * When the sign-in behind each refresh token happened. A SPA's refresh tokens rotate, but the
   * lifetime runs from the sign-in and "cannot be extended" (AADSTS700084), so rotation keeps it.
   */
  private signedInAt = new Map<string, number>();
  /** Nonces travel with the code; OAuthCore's code record has no slot for one. */
  readonly nonces = new Map<string, string>();
  silentAllowed = true;

  constructor(ctx: EmulatorContext) {
    this.tenantId = stableGuid('tenant:acme-sales.test');
    this.oauth = new OAuthCore({
      // Graph access tokens are JWTs; ours look like one (header.payload.signature).
      accessPrefix: `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${this.tenantId}/` })).toString('base64url')}.`,
      refreshPrefix: '1.AQ',
      accessTtlSec: () => ctx.config.accessTokenTtlSec,
      // Microsoft rotates refresh tokens, and a SPA's live 24 h (configurable).
      refreshTtlSec: () => ctx.config.microsoftRefreshTokenTtlSec,
      // Microsoft has no revocation endpoint for this client type; nothing calls this.
      revokes: 'grant',
    });
  }

  reset(): void {
    this.consents.clear();
    this.signedInAt.clear();
    this.nonces.clear();
    this.silentAllowed = true;
  }

  recordConsent(clientId: string, user: string, scopes: string[]): void {
    const key = `${clientId}\n${user}`;
    const set = this.consents.get(key) ?? new Set<string>();
    for (const scope of scopes) set.add(scope.toLowerCase());
    this.consents.set(key, set);
  }

  hasConsent(clientId: string, user: string, scopes: string[]): boolean {
    const set = this.consents.get(`${clientId}\n${user}`);
    return !!set && scopes.every((scope) => OIDC_SCOPES.has(scope.toLowerCase()) || set.has(scope.toLowerCase()));
  }

  /** Records a handed-out refresh token; `previous` is the one it replaces, whose sign-in time it keeps. */
  noteRefresh(token: string, previous?: string): void {
    this.signedInAt.set(token, (previous && this.signedInAt.get(previous)) || Date.now());
    if (previous) this.signedInAt.delete(previous);
  }

  signedInAtFor(token: string): number | undefined {
    return this.signedInAt.get(token);
  }
}

const authorizeSchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().url(),
  response_type: z.string(),
  scope: z.string().min(1),
  state: z.string().optional(),
  code_challenge: z.string().min(43).max(128).optional(),
  code_challenge_method: z.enum(['S256', 'plain']).optional(),
  login_hint: z.string().optional(),
  prompt: z.enum(['login', 'consent', 'select_account', 'none']).optional(),
  response_mode: z.enum(['query', 'fragment']).optional(),
  nonce: z.string().optional(),
});

const tokenSchema = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    client_id: z.string().min(1),
    code: z.string().min(1),
    redirect_uri: z.string().min(1),
    code_verifier: z.string().optional(),
    scope: z.string().optional(),
    client_info: z.string().optional(),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    client_id: z.string().min(1),
    refresh_token: z.string().min(1),
    scope: z.string().optional(),
    client_info: z.string().optional(),
  }),
]);

/** A JWT-shaped id token. Unsigned in substance: the product must not rely on verifying it. */
function idToken(identity: Identity, state: MailboxState, clientId: string, nonce: string | undefined): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    aud: clientId,
    iss: `https://login.microsoftonline.com/${identity.tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: state.mailbox.displayName,
    nonce,
    oid: state.userId,
    preferred_username: state.mailbox.address,
    email: state.mailbox.address,
    sub: stableGuid(`sub:${clientId}:${state.mailbox.address}`),
    tid: identity.tenantId,
    ver: '2.0',
  };
  return `${part({ typ: 'JWT', alg: 'RS256', kid: 'emulator' })}.${part(claims)}.${randomBytes(64).toString('base64url')}`;
}

/**
 * AADSTS50011 as the sign-in page shows it: an error page, not a redirect, since the address
 * asked for is not one the application registered.
 */
function redirectMismatchPage(redirectUri: string, clientId: string): Response {
  const text = `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`;
  const html = `<!doctype html><title>Sign in to your account</title><h1>Sorry, but we’re having trouble signing you in.</h1><p>${text.replace(/[<>&]/g, '')}</p>`;
  return new Response(html, { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/**
 * `GET /{tenant}/oauth2/v2.0/authorize` and `POST /{tenant}/oauth2/v2.0/token`. The redirect URI
 * must be one registered for the client, exactly (AADSTS50011 otherwise). The v2.0 endpoint does
 * not send RFC 9207's `iss` in its authorization responses (its discovery document does not
 * advertise `authorization_response_iss_parameter_supported`), so neither does this one.
 */
export function identityRoutes(identity: Identity, ctx: EmulatorContext, store: MailStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('/:tenant/oauth2/*', async (c, next) => {
    const tenant = c.req.param('tenant');
    if (!TENANT.test(tenant)) {
      return c.json(aadError('invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`), 400);
    }
    await next();
  });

  app.get('/:tenant/oauth2/v2.0/authorize', (c) => {
    const parsed = authorizeSchema.safeParse(c.req.query());
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? 'request';
      return c.json(aadError('invalid_request', 900144, `The request body must contain a valid value for the following parameter: '${field}'.`), 400);
    }
    const input = parsed.data;
    if (!isRegisteredRedirect(ctx.config, 'microsoft', input.client_id, input.redirect_uri)) return redirectMismatchPage(input.redirect_uri, input.client_id);
    const redirect = (params: Record<string, string>) => {
      const url = new URL(input.redirect_uri);
      const target = input.response_mode === 'fragment' ? new URLSearchParams() : url.searchParams;
      for (const [key, value] of Object.entries(params)) target.set(key, value);
      if (input.state !== undefined) target.set('state', input.state);
      if (input.response_mode === 'fragment') url.hash = target.toString();
      return c.redirect(url.toString(), 302);
    };
    const fail = (error: string, code: number, description: string) => {
      const body = aadError(error, code, description);
      return redirect({ error, error_description: body.error_description, error_uri: body.error_uri });
    };

    if (input.response_type !== 'code') return fail('unsupported_response_type', 700054, `response_type '${input.response_type}' is not enabled for the application.`);
    const scopes = normaliseScopes(input.scope);
    const hinted = input.login_hint ? store.mailboxByAddress(input.login_hint) : undefined;
    const state = hinted ?? store.all()[0];
    if (!state) return fail('server_error', 500011, 'No Outlook mailbox is seeded in this world.');
    const user = state.mailbox.address;

    if (input.prompt === 'none') {
      if (!identity.silentAllowed) return fail('interaction_required', 50058, 'A silent sign-in request was sent but no user is signed in.');
      if (!identity.hasConsent(input.client_id, user, scopes)) {
        return fail(
          'interaction_required',
          65001,
          `The user or administrator has not consented to use the application with ID '${input.client_id}'. Send an interactive authorization request for this user and resource.`,
        );
      }
    } else if (ctx.config.consent === 'deny') {
      return fail('access_denied', 65004, 'User declined to consent to access the app.');
    }

    const code = identity.oauth.issueCode(codeRequest(input, user, scopes.join(' ')));
    if (input.nonce) identity.nonces.set(code, input.nonce);
    identity.recordConsent(input.client_id, user, scopes);
    return redirect({ code });
  });

  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const parsed = tokenSchema.safeParse(form);
    if (!parsed.success) {
      if (form.grant_type && !['authorization_code', 'refresh_token'].includes(form.grant_type)) {
        return c.json(aadError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type}'.`), 400);
      }
      const field = parsed.error.issues[0]?.path.join('.') || 'grant_type';
      return c.json(aadError('invalid_request', 900144, `The request body must contain the following parameter: '${field}'.`), 400);
    }
    const input = parsed.data;
    let result: TokenSet | OAuthFailure;
    let nonce: string | undefined;
    if (input.grant_type === 'authorization_code') {
      nonce = identity.nonces.get(input.code);
      identity.nonces.delete(input.code);
      result = identity.oauth.exchangeCode({ code: input.code, clientId: input.client_id, redirectUri: input.redirect_uri, codeVerifier: input.code_verifier ?? null });
    } else {
      const since = identity.signedInAtFor(input.refresh_token);
      const lifetimeOver = since !== undefined && since + ctx.config.microsoftRefreshTokenTtlSec * 1000 < Date.now();
      result = lifetimeOver ? 'refresh_token_expired' : identity.oauth.refresh({ refreshToken: input.refresh_token, clientId: input.client_id });
    }
    if (typeof result === 'string') {
      const since = input.grant_type === 'refresh_token' ? identity.signedInAtFor(input.refresh_token) : undefined;
      return c.json(tokenFailure(result, ctx.config.microsoftRefreshTokenTtlSec, since), 400);
    }
    const scopes = result.scope.split(' ').filter(Boolean);
    const offline = scopes.some((s) => s.toLowerCase() === 'offline_access');
    const user = userOf(identity, result);
    const state = user ? store.mailboxByAddress(user) : undefined;
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      // AAD never lists offline_access among the granted scopes.
      scope: scopes.filter((s) => s.toLowerCase() !== 'offline_access').join(' '),
      expires_in: result.expires_in,
      ext_expires_in: result.expires_in,
      access_token: result.access_token,
    };
    // Without offline_access the refresh token OAuthCore made is never handed out (and so unusable).
    if (offline && result.refresh_token) {
      const previous = input.grant_type === 'refresh_token' ? input.refresh_token : undefined;
      identity.noteRefresh(result.refresh_token, previous);
      body.refresh_token = result.refresh_token;
      const since = identity.signedInAtFor(result.refresh_token) ?? Date.now();
      body.refresh_token_expires_in = Math.max(0, Math.round((since + ctx.config.microsoftRefreshTokenTtlSec * 1000 - Date.now()) / 1000));
    }
    if (state && scopes.some((s) => s.toLowerCase() === 'openid')) body.id_token = idToken(identity, state, input.client_id, nonce);
    if (state && input.client_info === '1') {
      body.client_info = Buffer.from(JSON.stringify({ uid: state.userId, utid: identity.tenantId })).toString('base64url');
    }
    return c.json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });

  return app;
}

function userOf(identity: Identity, tokens: TokenSet): string | null {
  const who = identity.oauth.authenticate(`Bearer ${tokens.access_token}`);
  return typeof who === 'string' ? null : who.user;
}

/** OAuthCore's refusal in AAD's words. */
function tokenFailure(failure: OAuthFailure, refreshTtlSec: number, issuedAt: number | undefined) {
  switch (failure) {
    case 'pkce_failed':
      return aadError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    case 'redirect_mismatch':
      return aadError('invalid_grant', 50011, "The redirect URI specified in the request does not match the redirect URI the authorization code was issued for.");
    case 'client_mismatch':
      return aadError('invalid_grant', 70000, "The provided value for the 'code' parameter is not valid: it was issued to another client.");
    case 'refresh_token_expired': {
      const issued = new Date(issuedAt ?? Date.now()).toISOString();
      return aadError(
        'invalid_grant',
        700084,
        `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of ${timeSpan(refreshTtlSec)}, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${issued}.`,
      );
    }
    case 'invalid_refresh_token':
      return aadError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    default:
      return aadError(
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
  }
}
