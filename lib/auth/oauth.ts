import { z } from 'zod';
import { echoableToken, type Grant, type ProviderError, type ProviderErrorData, providerError } from '../domain';
import { createPkcePair, randomToken } from './pkce';

type Source = ProviderErrorData['source'];

/** One OAuth 2.0 client: where it signs in and what it asks for. */
export interface OAuthClient {
  source: Source;
  /**
   * The authorization server's issuer identifier (RFC 8414), checked against the `iss` of an
   * authorization response that carries one (RFC 9207). `{tenantid}` stands for any tenant id
   * (Microsoft's multi-tenant issuer form).
   */
  issuer: string;
  /**
   * True when an answer without `iss` is refused. The CRM's contract requires `iss`: every CRM
   * shares one redirect URL and one client id, so `iss` is what tells an honest CRM's answer from
   * one a hostile CRM address bounced there. Google and Microsoft have their own redirect URLs.
   */
  issuerRequired: boolean;
  /**
   * True when revoking one token ends every token of the user and client (Google), not only the
   * grant it belongs to (RFC 7009, the CRM): such a peer is never asked to revoke a token that may
   * share its authorization with one still in use.
   */
  revocationEndsAuthorization: boolean;
  authorizeUrl: string;
  tokenUrl: string;
  /** Null when the peer has no revocation endpoint. */
  revokeUrl: string | null;
  clientId: string;
  /**
   * Google issues a secret even to clients that cannot keep one (an extension ships it in its
   * bundle); its token endpoint wants it anyway. Empty for Microsoft and the CRM.
   */
  clientSecret: string;
  scopes: string[];
  /** This authorization server's own redirect URL; an answer arriving on another is refused. */
  redirectUri: string;
}

/** Opens the sign-in page and returns the redirect URL it ended on (`launchWebAuthFlow`). */
export type WebAuthFlow = (url: string, interactive: boolean) => Promise<string>;

/** What the token endpoint answers, as far as we use it (RFC 6749 §5.1). */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  /** Microsoft: how long the (SPA) refresh token lives. */
  refresh_token_expires_in: z.coerce.number().int().nonnegative().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export interface AuthorizeOptions {
  interactive: boolean;
  loginHint?: string;
  /** `none` for silent renewal; `consent` or `select_account` to force the screen. */
  prompt?: string;
  extraParams?: Record<string, string>;
}

/**
 * Authorization code + PKCE (RFC 7636) through the browser's web auth flow, then the code
 * exchange. Before anything of the answer is used, it must have arrived on this client's own
 * redirect URL (each authorization server has its own), carry this server's `iss` when it carries
 * one, or always where the client requires it (RFC 9207), and this run's `state`: so an answer from another server, or another flow, is
 * refused and its code is never sent anywhere (OAuth mix-up). Errors come out typed: a declined
 * consent is `insufficient_permissions` with words that say so; a silent run that needs the user
 * is `reauth_required`.
 */
export async function authorize(client: OAuthClient, flow: WebAuthFlow, options: AuthorizeOptions): Promise<Grant> {
  const pkce = await createPkcePair();
  const state = randomToken(16);
  const url = new URL(client.authorizeUrl);
  const params: Record<string, string> = {
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: client.scopes.join(' '),
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: pkce.method,
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...options.extraParams,
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);

  let redirect: string;
  try {
    redirect = await flow(url.toString(), options.interactive);
  } catch (error) {
    throw flowFailure(client.source, options.interactive, error);
  }
  let answer: URL;
  try {
    answer = new URL(redirect);
  } catch {
    throw providerError('bad_response', client.source, { detail: 'The sign-in ended on an address that is not a URL.', final: true });
  }
  if (!sameEndpoint(answer, client.redirectUri)) throw mixUp(client.source);
  // Some peers answer in the fragment (response_mode=fragment); read both.
  const values = new URLSearchParams(answer.hash.slice(1));
  for (const [key, value] of answer.searchParams) values.set(key, value);
  const iss = values.get('iss');
  if (iss === null ? client.issuerRequired : !issuerMatches(client.issuer, iss)) throw mixUp(client.source);
  if (values.get('state') !== state) throw providerError('bad_response', client.source, { detail: 'The sign-in answer did not belong to this sign-in.', final: true });
  const error = values.get('error');
  if (error) throw authorizeError(client.source, error);
  const code = values.get('code');
  if (!code) throw providerError('bad_response', client.source, { detail: 'The sign-in answer carried no authorization code.', final: true });

  return tokenRequest(client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirectUri,
    code_verifier: pkce.verifier,
  });
}

/** Trades a refresh token for new tokens; a refused refresh token is `reauth_required`. */
export function refresh(client: OAuthClient, refreshToken: string): Promise<Grant> {
  return tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken, scope: client.scopes.join(' ') }, refreshToken);
}

/**
 * Sends a request that carries a credential (a token, code, verifier or secret) without following
 * a redirect: the credential would go to wherever the peer pointed. A redirect answer is a final
 * `bad_response` (a wrong address in the settings, or a hostile peer), not a network failure to
 * retry; a request that never got an answer is `network`.
 */
export async function fetchWithCredential(url: string, init: RequestInit, source: Source): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual' });
  } catch {
    throw providerError('network', source);
  }
  // Browsers answer a redirect not followed as an opaque one (status 0); Node gives the 3xx itself.
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    throw providerError('bad_response', source, { detail: 'It answered with a redirect, which the extension never follows with a credential. Check the address in the settings.', final: true });
  }
  return response;
}

/**
 * Revokes a token, and with it its grant, at the peer (RFC 7009). True only when the peer said so
 * with a 2xx; false when it has no revocation endpoint (Microsoft), so the caller can point the
 * user to the page where they remove the access. Any other answer throws: a 400 (Google's
 * "invalid_token") does not say the grant is gone, only that this token was not taken.
 */
export async function revoke(client: OAuthClient, token: string): Promise<boolean> {
  if (!client.revokeUrl) return false;
  const response = await fetchWithCredential(client.revokeUrl, { method: 'POST', body: new URLSearchParams({ token, client_id: client.clientId }) }, client.source);
  if (response.ok) return true;
  if (response.status >= 500) throw providerError('server', client.source);
  if (response.status === 429) throw providerError('rate_limited', client.source);
  throw providerError('bad_response', client.source, { detail: `It refused to revoke the access (HTTP ${response.status}).`, final: true });
}

async function tokenRequest(client: OAuthClient, form: Record<string, string>, previousRefresh?: string): Promise<Grant> {
  const body = new URLSearchParams({ ...form, client_id: client.clientId });
  if (client.clientSecret) body.set('client_secret', client.clientSecret);
  const response = await fetchWithCredential(client.tokenUrl, { method: 'POST', body, headers: { accept: 'application/json' } }, client.source);
  const text = await response.text();
  if (!response.ok) throw tokenError(client.source, response.status, text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw providerError('bad_response', client.source, { detail: 'The token answer was not JSON.' });
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) throw providerError('bad_response', client.source, { detail: 'The token answer had an unexpected shape.' });
  const now = Date.now();
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    accessExpiresAt: now + (t.expires_in ?? 3600) * 1000,
    // Peers that do not rotate (Google) answer a refresh without a new refresh token.
    refreshToken: t.refresh_token ?? previousRefresh ?? null,
    refreshExpiresAt: t.refresh_token_expires_in !== undefined ? now + t.refresh_token_expires_in * 1000 : null,
    scope: t.scope ?? client.scopes.join(' '),
  };
}

const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * RFC 6749 §5.2 errors: a refused grant, or (Microsoft) a refresh that now needs the user, means
 * signing in again; a refused client is a setup problem no retry fixes; 5xx and 429 are transient.
 */
function tokenError(source: Source, status: number, text: string): ProviderError {
  if (status >= 500) return providerError('server', source);
  if (status === 429) return providerError('rate_limited', source);
  let error: string;
  const refused = providerError('bad_response', source, { detail: 'The token endpoint refused the request.', final: true });
  try {
    error = tokenErrorSchema.parse(JSON.parse(text)).error;
  } catch {
    return refused;
  }
  if (['invalid_grant', 'interaction_required', 'login_required', 'consent_required'].includes(error)) return providerError('reauth_required', source);
  if (error === 'invalid_scope') return providerError('insufficient_permissions', source);
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    return providerError('bad_response', source, { detail: "It does not accept this extension's OAuth client: check the client id in the build settings (README, Configuration).", final: true });
  }
  // The peer chose this text: it is quoted only when it is a short code.
  const quoted = echoableToken(error);
  return quoted ? providerError('bad_response', source, { detail: `The token endpoint answered "${quoted}".`, final: true }) : refused;
}

/** Errors the authorize endpoint reports in the redirect (RFC 6749 §4.1.2.1, OIDC prompt=none). */
function authorizeError(source: Source, error: string): ProviderError {
  if (error === 'access_denied') {
    return providerError('insufficient_permissions', source, { detail: 'Access was declined on the consent screen. Connect again and choose Allow.' });
  }
  if (['interaction_required', 'login_required', 'consent_required', 'account_selection_required'].includes(error)) {
    return providerError('reauth_required', source);
  }
  if (error === 'invalid_scope') return providerError('insufficient_permissions', source);
  if (error === 'server_error' || error === 'temporarily_unavailable') return providerError('server', source);
  // The peer chose this text: it is quoted only when it is a short code.
  const quoted = echoableToken(error);
  return providerError('bad_response', source, { detail: quoted ? `Sign-in answered "${quoted}".` : 'It refused the sign-in.', final: true });
}

/** Whether a URL is `expected` by origin and path, exactly (the query and fragment carry the answer). */
function sameEndpoint(url: URL, expected: string): boolean {
  const own = new URL(expected);
  return url.origin === own.origin && url.pathname === own.pathname;
}

/** Whether an `iss` value is the expected issuer; `{tenantid}` in the expected form matches one tenant id. */
function issuerMatches(expected: string, iss: string): boolean {
  const [head = '', ...rest] = expected.split('{tenantid}');
  if (rest.length === 0) return iss === expected;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = [head, ...rest].map(escape).join('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}');
  return new RegExp(`^${pattern}$`, 'i').test(iss);
}

/** An answer that another authorization server sent, or that came back on another server's redirect URL. */
function mixUp(source: Source): ProviderError {
  return providerError('bad_response', source, {
    detail: 'The sign-in answer came back on another service’s address, so the extension refused it and sent nothing on. Check the address you entered, then connect again.',
    final: true,
  });
}

/**
 * `launchWebAuthFlow` rejects when the user closes the window, when the page cannot load, or,
 * non-interactively, when the page would need the user.
 */
function flowFailure(source: Source, interactive: boolean, error: unknown): ProviderError {
  const text = error instanceof Error ? error.message : String(error);
  // Offline is not a lost sign-in: the renewal can succeed once the network is back.
  if (/could not be loaded|net::/i.test(text)) return providerError('network', source);
  if (!interactive) return providerError('reauth_required', source);
  return providerError('insufficient_permissions', source, { detail: 'The sign-in window was closed before access was granted. Connect again to continue.' });
}
