import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { AppEnv, EmulatorContext } from '../core/context';
import { googleError, googleErrorHeaders } from './errors';
import type { GoogleIdentity } from './identity';
import type { GmailStore, MailboxState } from './mail-store';
import type { Operation } from './operations';
import type { GmailQuota } from './quota';

/** What the Gmail routes share. */
export interface GmailDeps {
  ctx: EmulatorContext;
  store: GmailStore;
  identity: GoogleIdentity;
  quota: GmailQuota;
  /** Who each request acted for and what it cost, read back for the log entries of batch parts. */
  meta: WeakMap<Request, { user: string; cost: number }>;
  /** Runs a request through the service app (for batch parts). */
  dispatch(request: Request, env: HttpBindings): Promise<Response>;
}

/** The signed-in mailbox of a Gmail request and the scopes of its token. */
export interface Session {
  scopes: Set<string>;
  state: MailboxState;
}

export type GmailEnv = { Bindings: HttpBindings; Variables: AppEnv['Variables'] & { session: Session } };
export type GmailContext = Context<GmailEnv>;

const JSON_TYPE = 'application/json; charset=UTF-8';

export function gmailJson(c: GmailContext, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status as 200, { 'Content-Type': JSON_TYPE, ...headers });
}

/** Answers in Google's error shape; `message` overrides the reason's usual text. */
export function gmailFail(c: GmailContext, status: number, reason: string, message?: string, extra: { details?: unknown[]; headers?: Record<string, string> } = {}): Response {
  return gmailJson(c, googleError(status, reason, message, extra.details), status, { ...googleErrorHeaders(reason), ...extra.headers });
}

/** 403 for a token without any scope that allows `operation`, with the ErrorInfo Google adds. */
function insufficientScope(c: GmailContext, operation: Operation): Response {
  return gmailFail(c, 403, 'insufficientPermissions', undefined, {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { service: 'gmail.googleapis.com', method: operation.rpc },
      },
    ],
    headers: { 'WWW-Authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${operation.scopes.join(' ')}"` },
  });
}

/**
 * Guards one Gmail method: the bearer token (401), the `userId` path segment (`me` or the
 * signed-in address), the method's scopes (403), then the user's quota (429). Sets the session
 * and the log's user and cost.
 */
export function gmailOperation(deps: GmailDeps, operation: Operation): MiddlewareHandler<GmailEnv> {
  return async (c, next) => {
    const auth = deps.identity.oauth.authenticate(c.req.header('authorization'));
    if (typeof auth === 'string') return gmailFail(c, 401, 'authError');
    c.set('user', auth.user);
    deps.meta.set(c.req.raw, { user: auth.user, cost: 0 });
    const state = deps.store.mailboxByAddress(auth.user);
    const userId = c.req.param('userId');
    if (!state || (userId !== 'me' && userId?.toLowerCase() !== auth.user.toLowerCase())) {
      return gmailFail(c, 403, 'forbidden', `Delegation denied for ${auth.user}`);
    }
    const scopes = new Set(auth.scope.split(' ').filter(Boolean));
    if (!operation.scopes.some((scope) => scopes.has(scope))) return insufficientScope(c, operation);
    if (!deps.quota.take(auth.user, operation.cost, deps.ctx.config.gmailUnitsPerSecond)) return gmailFail(c, 429, 'rateLimitExceeded');
    c.set('cost', operation.cost);
    deps.meta.set(c.req.raw, { user: auth.user, cost: operation.cost });
    c.set('session', { scopes, state });
    await next();
  };
}
