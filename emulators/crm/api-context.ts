import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { z } from 'zod';
import type { AppEnv, EmulatorContext } from '../core/context';
import { type CrmAuth, type CrmScope, type CrmSession, grants } from './auth';
import { WWW_AUTHENTICATE, fail, fieldErrors, validationFailed } from './errors';
import type { IdempotencyStore } from './idempotency';
import type { CrmStore } from './store';

/** What the CRM routes share. */
export interface CrmDeps {
  ctx: EmulatorContext;
  store: CrmStore;
  auth: CrmAuth;
  idempotency: IdempotencyStore;
  /** "CRM down": every call answers 503 (`POST /__admin/crm/down`). */
  outage: { down: boolean };
}

export type CrmEnv = { Bindings: HttpBindings; Variables: AppEnv['Variables'] & { session: CrmSession } };
export type CrmContext = Context<CrmEnv>;

/** 401 in the CRM's shape unless the bearer token is valid; sets the session. */
export function authenticate(deps: CrmDeps): MiddlewareHandler<CrmEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const session = deps.auth.authenticate(header);
    if (typeof session === 'string') {
      const message = !header ? 'Unauthenticated: no bearer token.' : session === 'token_expired' ? 'The access token has expired.' : 'The access token is invalid or revoked.';
      // RFC 6750: a request without credentials gets the bare challenge.
      return fail(c, 401, 'unauthenticated', message, undefined, { 'WWW-Authenticate': header ? WWW_AUTHENTICATE : 'Bearer realm="crm"' });
    }
    c.set('session', session);
    c.set('user', session.user);
    await next();
  };
}

/** 403 `insufficient_scope` unless the token grants `scope`; runs before the idempotency check. */
export function requireScope(scope: CrmScope): MiddlewareHandler<CrmEnv> {
  return async (c, next) => {
    if (!grants(c.get('session').scopes, scope)) {
      return fail(c, 403, 'insufficient_scope', `This action needs the ${scope} scope.`, { required_scope: scope });
    }
    await next();
  };
}

/** The JSON body parsed by `schema`, or the 400 / 422 answer. */
export async function readBody<S extends z.ZodType>(c: CrmContext, schema: S): Promise<z.infer<S> | Response> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return fail(c, 400, 'bad_request', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : validationFailed(c, fieldErrors(parsed.error));
}

/** The absolute base of this emulator, for contact links and next-page links. */
export function origin(c: CrmContext): string {
  return new URL(c.req.url).origin;
}
