import { Hono } from 'hono';
import { z } from 'zod';
import { type CrmContext, type CrmDeps, type CrmEnv, readBody, requireScope } from './api-context';
import { fail, validationFailed } from './errors';
import { idempotent } from './idempotency';
import { mailboxInputSchema } from './schemas';
import { mailboxJson } from './wire';

const addressSchema = z.email();

/** The path's mailbox address, or the 422 for one that is not an address. */
function addressOf(c: CrmContext): string | Response {
  const address = c.req.param('address') ?? '';
  return addressSchema.safeParse(address).success ? address : validationFailed(c, { address: ['must be a valid email address'] });
}

/** The CRM's record of each connected mailbox (purpose, owner, kind, status) and what relies on it. */
export function mailboxRoutes(deps: CrmDeps): Hono<CrmEnv> {
  const app = new Hono<CrmEnv>();
  const { store } = deps;

  app.put('/mailboxes/:address', requireScope('mailboxes:write'), idempotent(deps.idempotency), async (c) => {
    const address = addressOf(c);
    if (address instanceof Response) return address;
    const input = await readBody(c, mailboxInputSchema);
    if (input instanceof Response) return input;
    const { mailbox, created } = store.putMailbox(address, input, Date.now());
    return c.json({ data: mailboxJson(mailbox) }, created ? 201 : 200);
  });

  app.delete('/mailboxes/:address', requireScope('mailboxes:write'), idempotent(deps.idempotency), (c) => {
    if (!store.deleteMailbox(c.req.param('address'))) return fail(c, 404, 'not_found', 'No mailbox with this address.');
    return c.body(null, 204);
  });

  app.get('/mailboxes/:address/dependencies', requireScope('mailboxes:read'), (c) => {
    const address = c.req.param('address');
    if (!store.mailbox(address)) return fail(c, 404, 'not_found', 'No mailbox with this address.');
    return c.json({ data: store.dependenciesOf(address) });
  });

  return app;
}
