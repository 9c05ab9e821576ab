import { Hono } from 'hono';
import { type CrmDeps, type CrmEnv, authenticate } from './api-context';
import { contactRoutes } from './contact-routes';
import { emailRoutes } from './email-routes';
import { fail } from './errors';
import { mailboxRoutes } from './mailbox-routes';

/** The CRM API under `/public/v1`, as `lib/crm/openapi.yaml` documents it. */
export function crmApi(deps: CrmDeps): Hono<CrmEnv> {
  const app = new Hono<CrmEnv>();
  app.use('*', authenticate(deps));
  app.route('/', contactRoutes(deps));
  app.route('/', emailRoutes(deps));
  app.route('/', mailboxRoutes(deps));
  app.all('*', (c) => fail(c, 404, 'not_found', 'No such endpoint.'));
  return app;
}
