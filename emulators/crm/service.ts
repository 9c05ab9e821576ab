import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';
import { crmAdmin } from './admin';
import { crmApi } from './api';
import type { CrmDeps } from './api-context';
import { CrmAuth } from './auth';
import { crmErrorResponse, unavailable } from './errors';
import { IdempotencyStore } from './idempotency';
import { oauthRoutes } from './oauth-routes';
import { CrmStore } from './store';

/**
 * The CRM peer: the contract of `lib/crm/openapi.yaml` (Agiled-style `/public/v1` API, emails,
 * mailboxes, idempotent writes) with OAuth code + PKCE and personal access tokens.
 */
export const createCrmService: ServiceFactory = (ctx) => {
  const deps: CrmDeps = { ctx, store: new CrmStore(), auth: new CrmAuth(ctx), idempotency: new IdempotencyStore(), outage: { down: false } };
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    if (deps.outage.down) return unavailable(c);
    await next();
  });
  app.route('/', oauthRoutes(deps));
  app.route('/public/v1', crmApi(deps));

  return {
    name: 'crm',
    app,
    admin: crmAdmin(deps),
    errorResponse: crmErrorResponse,
    truth: {
      contacts: () => deps.store.contacts.values(),
      applyPolicy: (policy) => {
        deps.store.workspace = { ...deps.store.workspace, domains: [...policy.workspaceDomains] };
      },
    },
    reset(world) {
      deps.store.reset(world);
      deps.auth.reset(deps.store.users[0]?.email);
      deps.idempotency.clear();
      deps.outage.down = false;
    },
    expire(what, user) {
      if (what === 'access_tokens') deps.auth.expireAccessTokens(user);
      if (what === 'refresh_tokens') deps.auth.oauth.expireRefreshTokens(user);
    },
  };
};
