import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';
import { expiryReaches } from '../core/expiry';
import { microsoftAdmin } from './admin';
import type { GraphDeps } from './graph-context';
import { graphApp } from './graph-app';
import { graphErrorResponse } from './graph-errors';
import { Identity, identityRoutes } from './identity';
import { MailStore } from './mail-store';
import { GraphThrottle } from './throttle';
import { outlookLiveMessages } from './truth';

/**
 * The Microsoft peer: the identity platform's v2.0 authorize and token endpoints, and Graph
 * v1.0 mail for the world's Outlook mailboxes, with Graph's throttling and error shapes.
 */
export const createMicrosoftService: ServiceFactory = (ctx) => {
  const store = new MailStore();
  const identity = new Identity(ctx);
  const app = new Hono<AppEnv>();
  const deps: GraphDeps = {
    ctx,
    store,
    identity,
    throttle: new GraphThrottle(),
    latency: { ms: 0 },
    dispatch: async (request, env) => app.fetch(request, env),
  };
  app.route('/', identityRoutes(identity, ctx, store));
  app.route('/v1.0', graphApp(deps));

  return {
    name: 'microsoft',
    app,
    admin: microsoftAdmin(deps),
    errorResponse: graphErrorResponse,
    truth: { messages: () => outlookLiveMessages(store) },
    reset(world) {
      store.reset(world);
      identity.reset();
      deps.throttle.clearWindows();
      deps.latency.ms = 0;
    },
    expire(what, user) {
      if (what === 'access_tokens') identity.oauth.expireAccessTokens(user);
      if (what === 'refresh_tokens') identity.oauth.expireRefreshTokens(user);
      if (what === 'delta') for (const state of store.all()) if (expiryReaches(user, state.mailbox.address)) state.deltaGeneration++;
    },
  };
};
