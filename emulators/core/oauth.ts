import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorConfig, ServiceName } from './context';
import { expiryReaches } from './expiry';

/**
 * The authorization-code + PKCE machinery the Google, Microsoft and CRM emulators share. Each
 * peer renders requests and errors in its own shape; this holds codes and tokens.
 */

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  user: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

export interface TokenSet {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/** Why a grant or a bearer token was refused; each peer maps it to its own error JSON. */
export type OAuthFailure =
  | 'invalid_code'
  | 'redirect_mismatch'
  | 'client_mismatch'
  | 'pkce_failed'
  | 'invalid_refresh_token'
  | 'refresh_token_expired'
  | 'invalid_token'
  | 'token_expired';

/**
 * Every token carries the grant it belongs to: one per code exchange (or direct issue), kept
 * through refreshes. A revocation ends one grant, not every grant of the user (RFC 7009 §2.1).
 */
interface AccessToken {
  user: string;
  scope: string;
  clientId: string;
  grant: string;
  expiresAt: number;
}

interface RefreshToken {
  user: string;
  scope: string;
  clientId: string;
  grant: string;
  /** Null: never expires (Google's). */
  expiresAt: number | null;
}

const CODE_TTL_MS = 10 * 60_000;

export interface OAuthOptions {
  /** Prefix that makes tokens recognisable per peer, like Google's `ya29.` */
  accessPrefix: string;
  refreshPrefix: string;
  accessTtlSec: () => number;
  /** Null: refresh tokens never expire. */
  refreshTtlSec: () => number | null;
  /**
   * What a revocation ends: `grant`, the tokens of one code exchange (RFC 7009, the CRM), or
   * `authorization`, every token of that user and client (Google: revoking any token removes the
   * app's access to the account, so tokens of an earlier or later consent die with it).
   */
  revokes: 'grant' | 'authorization';
}

/** The authorize parameters every peer reads the same way (RFC 6749 and RFC 7636 names). */
export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

/** A code request from authorize parameters; a challenge without a method is `plain` (RFC 7636 4.3). */
export function codeRequest(params: AuthorizeParams, user: string, scope: string): CodeRequest {
  return {
    clientId: params.client_id,
    redirectUri: params.redirect_uri,
    user,
    scope,
    codeChallenge: params.code_challenge ?? null,
    codeChallengeMethod: params.code_challenge ? (params.code_challenge_method ?? 'plain') : null,
  };
}

/**
 * Whether `redirectUri` is registered for the client, compared exactly as Google and Microsoft
 * do (scheme, host, path, case and trailing slash). A request naming another URL must never be
 * redirected: the peer answers with its own error page instead.
 */
export function isRegisteredRedirect(config: EmulatorConfig, service: ServiceName, clientId: string, redirectUri: string): boolean {
  const registry = config.redirectUris[service];
  return (registry[clientId] ?? registry['*'] ?? []).includes(redirectUri);
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class OAuthCore {
  private codes = new Map<string, CodeRequest & { expiresAt: number }>();
  private access = new Map<string, AccessToken>();
  private refreshTokens = new Map<string, RefreshToken>();

  constructor(private readonly options: OAuthOptions) {}

  issueCode(request: CodeRequest): string {
    const code = `4/${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { ...request, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /** Redeems a code once. PKCE: S256 (or plain) must match the challenge sent to authorize. */
  exchangeCode(input: { code: string; clientId: string; redirectUri: string; codeVerifier: string | null }): TokenSet | OAuthFailure {
    const grant = this.codes.get(input.code);
    this.codes.delete(input.code);
    if (!grant || grant.expiresAt < Date.now()) return 'invalid_code';
    if (grant.clientId !== input.clientId) return 'client_mismatch';
    if (grant.redirectUri !== input.redirectUri) return 'redirect_mismatch';
    if (grant.codeChallenge !== null) {
      if (!input.codeVerifier) return 'pkce_failed';
      const expected = grant.codeChallengeMethod === 'plain' ? input.codeVerifier : pkceChallenge(input.codeVerifier);
      if (expected !== grant.codeChallenge) return 'pkce_failed';
    }
    return this.issueTokens(grant.user, grant.scope, grant.clientId, true);
  }

  private newGrant(): string {
    return randomBytes(12).toString('base64url');
  }

  refresh(input: { refreshToken: string; clientId: string }): TokenSet | OAuthFailure {
    const token = this.refreshTokens.get(input.refreshToken);
    if (!token || token.clientId !== input.clientId) return 'invalid_refresh_token';
    if (token.expiresAt !== null && token.expiresAt < Date.now()) return 'refresh_token_expired';
    const ttl = this.options.refreshTtlSec();
    // Rotating peers (Microsoft) hand out a new refresh token with its own lifetime.
    const rotate = ttl !== null;
    if (rotate) this.refreshTokens.delete(input.refreshToken);
    return this.issueTokens(token.user, token.scope, token.clientId, rotate, token.grant);
  }

  /**
   * Revokes an access or refresh token with what it belongs to (`revokes`): every token of its
   * grant, or of its user and client, stops working. Returns whose token it was, or null for an
   * unknown token.
   */
  revoke(token: string): { user: string; clientId: string } | null {
    const owner = this.refreshTokens.get(token) ?? this.access.get(token);
    if (!owner) return null;
    const ends = (value: { user: string; clientId: string; grant: string }) =>
      this.options.revokes === 'grant' ? value.grant === owner.grant : value.user === owner.user && value.clientId === owner.clientId;
    for (const [key, value] of this.refreshTokens) if (ends(value)) this.refreshTokens.delete(key);
    for (const [key, value] of this.access) if (ends(value)) this.access.delete(key);
    return { user: owner.user, clientId: owner.clientId };
  }

  /** The user and scope behind a bearer token, or why it is refused. */
  authenticate(header: string | undefined): { user: string; scope: string } | OAuthFailure {
    const token = header?.match(/^Bearer\s+(.+)$/i)?.[1];
    const entry = token ? this.access.get(token) : undefined;
    if (!entry) return 'invalid_token';
    if (entry.expiresAt < Date.now()) return 'token_expired';
    return { user: entry.user, scope: entry.scope };
  }

  /** A token for a user without a browser flow (CRM personal access tokens, fidelity tests). */
  issueTokens(user: string, scope: string, clientId: string, withRefresh: boolean, grant = this.newGrant()): TokenSet {
    const accessToken = `${this.options.accessPrefix}${randomBytes(32).toString('base64url')}`;
    const ttl = this.options.accessTtlSec();
    this.access.set(accessToken, { user, scope, clientId, grant, expiresAt: Date.now() + ttl * 1000 });
    const set: TokenSet = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope };
    if (withRefresh) {
      const refreshToken = `${this.options.refreshPrefix}${randomBytes(32).toString('base64url')}`;
      const refreshTtl = this.options.refreshTtlSec();
      this.refreshTokens.set(refreshToken, { user, scope, clientId, grant, expiresAt: refreshTtl === null ? null : Date.now() + refreshTtl * 1000 });
      set.refresh_token = refreshToken;
    }
    return set;
  }

  /** Makes every access token (of one user, a lower-cased address from `expiryUser`, or all) expired now. */
  expireAccessTokens(user?: string): void {
    for (const token of this.access.values()) if (expiryReaches(user, token.user)) token.expiresAt = 0;
  }

  /** Makes every refresh token (of one user, a lower-cased address from `expiryUser`, or all) expired now. */
  expireRefreshTokens(user?: string): void {
    for (const token of this.refreshTokens.values()) if (expiryReaches(user, token.user)) token.expiresAt = 0;
  }
}
