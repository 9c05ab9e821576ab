import { Hono } from 'hono';
import type { AppEnv, ServiceFactory } from '../core/context';
import { expiryReaches } from '../core/expiry';
import { googleAdmin } from './admin';
import { googleErrorResponse } from './errors';
import { gmailApp } from './gmail-app';
import type { GmailDeps } from './gmail-context';
import { GoogleIdentity, identityRoutes } from './identity';
import { GmailStore } from './mail-store';
import { GmailQuota } from './quota';
import { gmailLiveMessages } from './truth';

/**
 * The Google peer: OAuth 2.0 (accounts.google.com authorize, oauth2.googleapis.com token and
 * revoke) and the Gmail API v1 (gmail.googleapis.com) for the world's Gmail mailboxes, with
 * Gmail's quota units and error shapes. One server stands in for all three hosts.
 */
export const createGoogleService: ServiceFactory = (ctx) => {
  const store = new GmailStore();
  const identity = new GoogleIdentity(ctx);
  const app = new Hono<AppEnv>();
  const deps: GmailDeps = {
    ctx,
    store,
    identity,
    quota: new GmailQuota(),
    meta: new WeakMap(),
    dispatch: async (request, env) => app.fetch(request, env),
  };
  app.route('/', identityRoutes(identity, ctx, store));
  app.route('/', gmailApp(deps));

  return {
    name: 'google',
    app,
    admin: googleAdmin(deps),
    errorResponse: googleErrorResponse,
    truth: { messages: () => gmailLiveMessages(store) },
    reset(world) {
      store.reset(world);
      identity.reset();
      deps.quota.clear();
    },
    expire(what, user) {
      if (what === 'access_tokens') identity.oauth.expireAccessTokens(user);
      if (what === 'refresh_tokens') identity.oauth.expireRefreshTokens(user);
      if (what === 'history') for (const state of store.all()) if (expiryReaches(user, state.mailbox.address)) store.expireHistory(state);
    },
  };
};
